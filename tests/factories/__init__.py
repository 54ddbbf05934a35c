"""Factories for the platform's models; Oscar's own factories cover the rest."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
StockRecord = get_model("partner", "StockRecord")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Συνεταιρισμός Δοκιμής {n}")
    legal_form = "agricultural_cooperative"
    region = "crete"


class ProductClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductClass
        django_get_or_create = ("name",)

    name = "Τρόφιμα"
    vat_rate = "reduced"
    track_stock = True
    requires_shipping = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"Προϊόν {n}")
    upc = factory.Sequence(lambda n: f"TEST-{n:05d}")
    product_class = factory.SubFactory(ProductClassFactory)
    structure = Product.STANDALONE
    is_public = True


class StockRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockRecord

    product = factory.SubFactory(ProductFactory)
    partner = factory.SubFactory(OrganisationFactory)
    partner_sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("10.00")
    price_currency = "EUR"
    num_in_stock = 10


def create_offered_product(*, organisation=None, price=Decimal("10.00"), stock=10, **product):
    """A public product offered by one organisation through one stock record."""
    stockrecord = StockRecordFactory(
        product=ProductFactory(**product),
        partner=organisation or OrganisationFactory(),
        price=price,
        num_in_stock=stock,
    )
    return stockrecord.product
