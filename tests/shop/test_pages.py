"""Every page of the URL map that exists so far, in Greek and in English."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from oscar.core.loading import get_model

from tests.factories import OrganisationFactory, UserFactory, create_offered_product

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/thinktank/",
    "/mentors/",
    "/market/",
    "/market/catalogue/",
    "/market/basket/",
    "/market/search/?q=%CE%BC%CE%AD%CE%BB%CE%B9",
    "/accounts/login/",
    "/accounts/register/",
    "/accounts/password-reset/",
]


@pytest.fixture
def honey():
    return create_offered_product(
        title="Μέλι Θυμαρίσιο 450 g",
        price=Decimal("8.80"),
        organisation=OrganisationFactory(name="Μελισσοκόμοι Χαλκιδικής"),
    )


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_public_page_answers_in_both_languages(client, honey, path, prefix):
    response = client.get(prefix + path)

    assert response.status_code == 200, response
    html = response.content.decode()
    expected_lang = "en" if prefix else "el"
    assert f'<html lang="{expected_lang}"' in html
    assert 'id="main"' in html
    # The language switcher links to the same page in the other language.
    other = "/en" + path if not prefix else path
    assert f'href="{other.replace("&", "&amp;")}"' in html or (
        f'href="{other.split("?")[0]}' in html
    )


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_product_page_answers_in_both_languages(client, honey, prefix):
    response = client.get(prefix + honey.get_absolute_url())
    assert response.status_code == 200
    assert "Μέλι Θυμαρίσιο 450 g" in response.content.decode()


def test_english_pages_are_in_english_and_greek_pages_in_greek(client):
    greek = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert "Δεξαμενή σκέψης" in greek
    assert "Think tank" in english
    assert "Δεξαμενή σκέψης" not in english


def test_dashboard_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/login/?next=/dashboard/"


def test_dashboard_opens_for_platform_staff(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/en/dashboard/").status_code == 200


def test_checkout_with_empty_basket_goes_back_to_the_basket(client):
    response = client.get("/market/checkout/")
    assert response.status_code == 302
    assert response["Location"] == "/market/basket/"


def test_add_to_basket_from_the_product_page(client, honey):
    response = client.post(
        f"/market/basket/add/{honey.pk}/", {"quantity": 2}, HTTP_REFERER="/market/"
    )

    assert response.status_code == 302
    basket = Basket.objects.get()
    assert [(line.product_id, line.quantity) for line in basket.all_lines()] == [(honey.pk, 2)]
    page = client.get("/market/basket/").content.decode()
    assert "19,88\xa0€" in page  # 2 × 8,80 € + 13% VAT


def test_healthz_reports_that_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {"status": "ok"}


def test_healthz_stays_alive_when_the_database_does_not_answer(client, monkeypatch):
    """Liveness only: a database outage is for /readyz to report, not a reason to restart."""

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /dashboard/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_pages_and_products_in_both_languages(client, honey):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://example.com/</loc>" in body
    assert "<loc>http://example.com/en/</loc>" in body
    assert f"<loc>http://example.com{honey.get_absolute_url()}</loc>" in body
    assert f"<loc>http://example.com/en{honey.get_absolute_url()}</loc>" in body
    assert 'hreflang="el"' in body
