"""Building blocks for social-market tests: selling organisations, their products and
services, and baskets filled with them."""

from decimal import Decimal

from oscar.core.loading import get_class, get_model

from tests.factories import (
    OrganisationFactory,
    ProductClassFactory,
    ProductFactory,
    StockRecordFactory,
)

Basket = get_model("basket", "Basket")
ShippingFee = get_model("partner", "ShippingFee")
Selector = get_class("partner.strategy", "Selector")

VALID_IBAN = "GR1601101250000000012300695"


def selling_organisation(name, *, shipping_fees=(), **fields):
    """An organisation that takes orders; ``shipping_fees`` are (from, fee) rows."""
    defaults = {"offers_pickup": True, "accepts_cash": True, "contact_email": ""}
    organisation = OrganisationFactory(name=name, **{**defaults, **fields})
    for min_subtotal, fee in shipping_fees:
        ShippingFee.objects.create(
            organisation=organisation, min_subtotal=Decimal(min_subtotal), fee=Decimal(fee)
        )
    if shipping_fees:
        organisation.offers_shipping = True
        organisation.save()
    return organisation


def product_of(organisation, title, price, *, stock=None, vat="reduced", service=False):
    """A good (or a bookable service) of ``organisation``; ``price`` excludes VAT."""
    class_name = f"{'Υπηρεσίες' if service else 'Αγαθά'} {vat}"
    product_class = ProductClassFactory(
        name=class_name,
        vat_rate=vat,
        kind="service" if service else "good",
        track_stock=not service,
        requires_shipping=not service,
    )
    product = ProductFactory(title=title, product_class=product_class)
    StockRecordFactory(
        product=product, partner=organisation, price=Decimal(price), num_in_stock=stock
    )
    return product


def basket_with(*items, owner=None):
    """An open basket holding (product, quantity) items."""
    basket = Basket.objects.create(owner=owner)
    basket.strategy = Selector().strategy()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket
