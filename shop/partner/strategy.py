"""Pricing for Greece: prices are stored without VAT and shown with it.

The VAT rate comes from the product's class (standard 24%, reduced 13%, super-reduced
6%; the percentages are in settings.VAT_RATES).
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.availability import StockRequired as StockRequiredAvailability
from oscar.apps.partner.availability import Unavailable
from oscar.apps.partner.strategy import (
    FixedRateTax,
    StockRequired,
    Structured,
    UseFirstStockRecord,
)
from oscar.apps.partner.strategy import Selector as OscarSelector


class QuoteOnly(Unavailable):
    """A service offered on request: not bought online, the organisation sends a quote."""

    code = "quote"
    message = _("On request")

    @property
    def short_message(self):
        return _("Ask for a quote")


class GreekVAT(FixedRateTax):
    """Fixed-rate tax whose rate is chosen per product class; tax rounded to the cent."""

    exponent = Decimal("0.01")

    def get_rate(self, product, stockrecord):
        return settings.VAT_RATES[product.get_product_class().vat_rate]


class GoodsAndServicesAvailability(StockRequired):
    """Goods need stock when their class tracks it. Services are bought online unless they
    are offered on request; a bookable service with a stock level has that many places."""

    def availability_policy(self, product, stockrecord):
        if not stockrecord:
            return super().availability_policy(product, stockrecord)
        if product.is_quote_only:
            return QuoteOnly()
        if product.is_service and stockrecord.num_in_stock is not None:
            return StockRequiredAvailability(stockrecord.net_stock_level)
        return super().availability_policy(product, stockrecord)


class GreekStrategy(UseFirstStockRecord, GoodsAndServicesAvailability, GreekVAT, Structured):
    """One organisation offers each product; goods need stock, prices include VAT."""


class Selector(OscarSelector):
    def strategy(self, request=None, user=None, **kwargs):
        return GreekStrategy(request)
