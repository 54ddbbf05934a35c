"""Building blocks for social-market tests: selling organisations, their products and
services, baskets filled with them and purchases placed from those baskets."""

from decimal import Decimal

from oscar.core.loading import get_class, get_model

from shop.geography import greece
from shop.order.services import Consumer, place_purchase
from tests.factories import (
    OrganisationFactory,
    ProductClassFactory,
    ProductFactory,
    StockRecordFactory,
)

Basket = get_model("basket", "Basket")
PartnerAddress = get_model("partner", "PartnerAddress")
ShippingFee = get_model("partner", "ShippingFee")
Selector = get_class("partner.strategy", "Selector")

VALID_IBAN = "GR1601101250000000012300695"
# The consumer of most purchases in the tests.
MARIA = Consumer(email="maria@example.org", name="Μαρία Παπαδοπούλου", phone="6912345678")


def selling_organisation(
    name, *, shipping_fees=(), address=None, iban=None, stripe_account=None, **fields
):
    """An organisation that takes orders; ``shipping_fees`` are (from, fee) rows and
    ``address`` is its (street, city, postcode) in Greece. With an ``iban`` it takes bank
    transfers to it; with a ``stripe_account`` that charges and pays out, cards."""
    defaults = {"offers_pickup": True, "accepts_cash": True, "contact_email": ""}
    if iban:
        defaults.update(accepts_bank_transfer=True, iban=iban)
    if stripe_account:
        defaults.update(
            stripe_account_id=stripe_account,
            stripe_charges_enabled=True,
            stripe_payouts_enabled=True,
        )
    organisation = OrganisationFactory(name=name, **{**defaults, **fields})
    for min_subtotal, fee in shipping_fees:
        ShippingFee.objects.create(
            organisation=organisation, min_subtotal=Decimal(min_subtotal), fee=Decimal(fee)
        )
    if shipping_fees:
        organisation.offers_shipping = True
        organisation.save()
    if address:
        line1, city, postcode = address
        PartnerAddress.objects.create(
            partner=organisation, line1=line1, line4=city, postcode=postcode, country=greece()
        )
    return organisation


def card_organisation(name, account_id, **fields):
    """An organisation paid by card through its connected Stripe account (and in cash)."""
    return selling_organisation(name, stripe_account=account_id, **fields)


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


def shipping_address(**fields):
    """Μαρία's address in Athens, as ``place_purchase`` takes it."""
    return {
        "first_name": "Μαρία",
        "last_name": "Παπαδοπούλου",
        "line1": "Ερμού 10",
        "line4": "Αθήνα",
        "postcode": "10563",
        "country": greece(),
        **fields,
    }


def buy(items, choices, *, consumer=MARIA, address=None):
    """The purchase of (product, quantity) ``items``, with ``choices`` the PartChoice of
    each organisation (by pk) and ``address`` the shipping address's fields."""
    return place_purchase(basket_with(*items), consumer, choices, address_fields=address)
