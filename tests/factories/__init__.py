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


def create_member(organisation, **user):
    """A user who is a member of ``organisation`` with access to the vendor dashboard."""
    from django.contrib.auth.models import Permission

    member = UserFactory(**user)
    organisation.users.add(member)
    member.user_permissions.add(
        Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    )
    return member


def create_order_with_lines(*, lines, status="Pending", line_status="Pending", **order):
    """An order whose lines are ``(product, quantity)`` pairs: each line belongs to its
    product's organisation and costs the stock record's price times the quantity (the
    line prices are stored as they are, VAT aside). The order total is the lines' sum."""
    from oscar.test.factories import OrderFactory, OrderLineFactory

    total = sum(
        (product.stockrecords.get().price * quantity for product, quantity in lines),
        Decimal("0.00"),
    )
    placed = OrderFactory(
        status=status,
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        currency="EUR",
        **order,
    )
    for product, quantity in lines:
        stockrecord = product.stockrecords.get()
        price = stockrecord.price * quantity
        OrderLineFactory(
            order=placed,
            product=product,
            stockrecord=stockrecord,
            partner=stockrecord.partner,
            partner_name=stockrecord.partner.name,
            partner_sku=stockrecord.partner_sku,
            title=product.title,
            quantity=quantity,
            status=line_status,
            line_price_incl_tax=price,
            line_price_excl_tax=price,
            unit_price_incl_tax=stockrecord.price,
            unit_price_excl_tax=stockrecord.price,
        )
    return placed


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_model("partner", "Invitation")

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.org")


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_model("partner", "JoinRequest")

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    message = ""
