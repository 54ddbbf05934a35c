"""Pricing for Greece: prices are stored without VAT and shown with it.

The VAT rate comes from the product's class (standard 24%, reduced 13%, super-reduced
6%; the percentages are in settings.VAT_RATES).
"""

from decimal import Decimal

from django.conf import settings
from oscar.apps.partner.strategy import (
    FixedRateTax,
    StockRequired,
    Structured,
    UseFirstStockRecord,
)
from oscar.apps.partner.strategy import Selector as OscarSelector


class GreekVAT(FixedRateTax):
    """Fixed-rate tax whose rate is chosen per product class; tax rounded to the cent."""

    exponent = Decimal("0.01")

    def get_rate(self, product, stockrecord):
        return settings.VAT_RATES[product.get_product_class().vat_rate]


class GreekStrategy(UseFirstStockRecord, StockRequired, GreekVAT, Structured):
    """One organisation offers each product; goods need stock, prices include VAT."""


class Selector(OscarSelector):
    def strategy(self, request=None, user=None, **kwargs):
        return GreekStrategy(request)
