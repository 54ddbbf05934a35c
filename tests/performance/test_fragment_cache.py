"""Product cards are rendered once for every visitor (shop/templatetags/fragment_cache.py)
and show a change of the product, its price or its stock on the next request; what is
personal (the CSRF token, the basket, the sign-in state) never comes from a shared copy."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.templatetags.fragment_cache import product_version
from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.bulk import basket_products, market_products, member_with_basket
from tests.factories.market import basket_with

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Certification = get_model("catalogue", "Certification")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

CATALOGUE = "/en/market/catalogue/"


def card_of(html, product):
    """The listing card of ``product`` (its <article> element)."""
    match = re.search(
        rf'<article class="product_pod">(?:(?!</article>).)*?/{product.slug}_{product.pk}/'
        r"(?:(?!</article>).)*</article>",
        html,
        re.S,
    )
    assert match, f"no card of {product.title}"
    return match.group()


def summary_of(html, product):
    match = re.search(
        rf'<article class="product-summary">(?:(?!</article>).)*?/{product.slug}_{product.pk}/'
        r"(?:(?!</article>).)*</article>",
        html,
        re.S,
    )
    assert match, f"no summary card of {product.title}"
    return match.group()


def fresh(product):
    return (
        Product.objects.select_related("product_class")
        .prefetch_related("stockrecords__partner", "images", "certifications")
        .get(pk=product.pk)
    )


def test_the_card_is_stored_once_per_language_and_product_version(client):
    (product,) = market_products(1, title="Θυμαρίσιο μέλι")

    client.get(CATALOGUE)

    version = product_version(fresh(product))
    assert cache.get(make_template_fragment_key("product-card", ["en", version])) is not None
    assert cache.get(make_template_fragment_key("product-card", ["el", version])) is None


def test_a_retitled_product_shows_its_new_title_on_the_next_request(client):
    (product,) = market_products(1, title="Θυμαρίσιο μέλι")
    assert "Θυμαρίσιο μέλι 1" in card_of(client.get(CATALOGUE).content.decode(), product)

    product.title = "Μέλι ερείκης"
    product.save()

    card = card_of(client.get(CATALOGUE).content.decode(), product)
    assert "Μέλι ερείκης" in card
    assert "Θυμαρίσιο" not in card


def test_a_new_price_shows_on_the_next_request(client):
    (product,) = market_products(1)  # 7.50 € + 13% VAT
    assert "€8.48" in card_of(client.get(CATALOGUE).content.decode(), product)

    stockrecord = product.stockrecords.get()
    stockrecord.price = Decimal("10.00")
    stockrecord.save()

    card = card_of(client.get(CATALOGUE).content.decode(), product)
    assert "€11.30" in card
    assert "€8.48" not in card


def test_stock_reserved_without_touching_the_date_shows_on_the_next_request(client):
    (product,) = market_products(1)  # 5 in stock
    assert 'class="instock availability"' in card_of(
        client.get(CATALOGUE).content.decode(), product
    )

    # Checkout reserves stock with an UPDATE, which leaves date_updated as it was.
    StockRecord.objects.filter(product=product).update(num_allocated=F("num_in_stock"))

    card = card_of(client.get(CATALOGUE).content.decode(), product)
    assert 'class="outofstock availability"' in card
    assert "Add to basket</button>" not in card


def test_a_new_certification_shows_on_the_storefront_card_at_once(client):
    organisation = OrganisationFactory(is_verified=True)
    (product,) = market_products(1, organisation=organisation)
    path = f"/en{organisation.get_absolute_url()}"
    assert "Fair trade" not in summary_of(client.get(path).content.decode(), product)

    product.certifications.add(Certification.objects.get(code="fair-trade"))

    assert "Fair trade" in summary_of(client.get(path).content.decode(), product)


def test_each_visitor_gets_their_own_csrf_token_in_a_shared_card():
    (product,) = market_products(1)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(CATALOGUE)  # renders and stores the card

    html = second.get(CATALOGUE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card_of(html, product)).group(
        1
    )
    response = second.post(
        f"/en/market/basket/add/{product.pk}/",
        {"csrfmiddlewaretoken": token, "quantity": 1},
    )

    assert response.status_code == 302
    assert "__shared_fragment_csrf_token__" not in html
    assert Basket.objects.get().num_lines == 1


def badge(response):
    """The number of items the header's basket link shows."""
    html = response.content.decode()
    return re.search(r'class="site-account__basket">.*?badge-light[^>]*>(\d+)<', html, re.S).group(
        1
    )


def test_the_header_counts_each_visitors_own_basket(client):
    (product,) = market_products(1)
    member_with_basket(client, basket_products())
    shopper = UserFactory()
    basket_with((product, 2), owner=shopper)
    shopper_client, member_without_basket = Client(), Client()
    shopper_client.force_login(shopper)
    member_without_basket.force_login(create_member(OrganisationFactory()))

    shown = [badge(c.get(CATALOGUE)) for c in (client, shopper_client, member_without_basket)]

    assert shown == ["3", "2", "0"]
    assert badge(Client().get(CATALOGUE)) == "0"


def test_the_header_counts_an_anonymous_basket_and_merges_it_on_signing_in(client):
    first, second = market_products(2)
    shopper = UserFactory()
    basket_with((first, 2), owner=shopper)
    client.post(f"/en/market/basket/add/{second.pk}/", {"quantity": 3})
    assert badge(client.get(CATALOGUE)) == "3"

    client.force_login(shopper)

    assert badge(client.get(CATALOGUE)) == "5"
    assert Basket.objects.get(owner=shopper, status=Basket.OPEN).num_items == 5


def test_the_dashboard_link_shows_to_organisation_members_only(client):
    link = 'href="/en/dashboard/"'
    client.force_login(UserFactory())
    assert link not in client.get(CATALOGUE).content.decode()

    client.force_login(create_member(OrganisationFactory()))
    assert link in client.get(CATALOGUE).content.decode()


def footer_links(html):
    footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group()
    return re.findall(r'<a href="([^"]+)">', footer)


def test_the_footer_is_rendered_once_per_language(client):
    greek = footer_links(client.get("/").content.decode())
    english = footer_links(client.get("/en/").content.decode())
    greek_again = footer_links(client.get("/market/").content.decode())

    assert greek == greek_again == ["/thinktank/", "/mentors/", "/market/"]
    assert english == ["/en/thinktank/", "/en/mentors/", "/en/market/"]


def test_the_home_pages_organisation_count_is_counted_again_when_the_market_changes(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    client.force_login(UserFactory())  # signed in: the page itself is not cached
    OrganisationFactory()

    def shown():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/en/").content.decode()
        counted = any('FROM "partner_partner"' in q["sql"] and "COUNT(*)" in q["sql"]
                      for q in queries.captured_queries)  # fmt: skip
        return re.search(r"straight from (\d+) organisation", html).group(1), counted

    assert shown() == ("1", True)
    assert shown() == ("1", False)
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory()
    assert shown() == ("2", True)
