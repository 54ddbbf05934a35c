from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from oscar.core.loading import get_class

from tests.factories import ProductClassFactory, create_offered_product

Selector = get_class("partner.strategy", "Selector")
Basket = get_class("basket.models", "Basket")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("vat_rate", "net", "tax", "gross"),
    [
        ("standard", Decimal("10.00"), Decimal("2.40"), Decimal("12.40")),
        ("reduced", Decimal("8.80"), Decimal("1.14"), Decimal("9.94")),
        ("super_reduced", Decimal("11.32"), Decimal("0.68"), Decimal("12.00")),
    ],
)
def test_price_includes_the_vat_of_the_product_class(vat_rate, net, tax, gross):
    product_class = ProductClassFactory(name=f"Class {vat_rate}", vat_rate=vat_rate)
    product = create_offered_product(price=net, product_class=product_class)

    info = Selector().strategy().fetch_for_product(product)

    assert info.price.is_tax_known
    assert info.price.excl_tax == net
    assert info.price.tax == tax
    assert info.price.incl_tax == gross
    assert info.price.currency == "EUR"


def test_basket_total_adds_vat_per_line():
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    books = ProductClassFactory(name="Βιβλία", vat_rate="super_reduced")
    honey = create_offered_product(price=Decimal("8.80"), product_class=food)
    guide = create_offered_product(price=Decimal("11.32"), product_class=books)
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()

    basket.add_product(honey, quantity=2)
    basket.add_product(guide, quantity=1)

    assert basket.total_excl_tax == Decimal("28.92")
    assert basket.total_tax == Decimal("2.96")
    assert basket.total_incl_tax == Decimal("31.88")


def test_service_without_stock_is_available():
    services = ProductClassFactory(name="Υπηρεσίες", vat_rate="standard", track_stock=False,
                                   requires_shipping=False)  # fmt: skip
    tour = create_offered_product(price=Decimal("20.00"), stock=None, product_class=services)

    info = Selector().strategy().fetch_for_product(tour)

    assert info.availability.is_available_to_buy
    assert info.price.incl_tax == Decimal("24.80")


def test_good_out_of_stock_cannot_be_bought():
    product = create_offered_product(price=Decimal("3.40"), stock=0)

    info = Selector().strategy().fetch_for_product(product)

    assert not info.availability.is_available_to_buy


def render_currency(amount, language):
    template = Template("{% load currency_filters %}{{ amount|currency:'EUR' }}")
    with translation.override(language):
        return template.render(Context({"amount": amount}))


def test_euro_amounts_are_written_the_greek_way():
    assert render_currency(Decimal("12.5"), "el") == "12,50\xa0€"
    assert render_currency(Decimal("1234.5"), "el") == "1.234,50\xa0€"


def test_euro_amounts_in_english_follow_english_rules():
    assert render_currency(Decimal("12.5"), "en") == "€12.50"


def test_product_page_shows_price_with_vat_in_greek(client):
    product_class = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    product = create_offered_product(
        title="Μέλι Θυμαρίσιο 450 g", price=Decimal("8.80"), product_class=product_class
    )

    response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert "9,94\xa0€" in response.content.decode()
    assert product.get_absolute_url().startswith("/market/catalogue/meli-thymarisio-450-g_")
