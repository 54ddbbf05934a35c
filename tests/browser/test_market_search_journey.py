"""A shopper searches the market in Greek without accents, narrows by region and by
certification with the facet links, opens a product and comes back to the same
filtered results."""

import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.browser.test_thinktank_accessibility import violations_on
from tests.factories import OrganisationFactory, ProductClassFactory, create_offered_product

Certification = get_model("catalogue", "Certification")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def honey():
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    crete = OrganisationFactory(name="Μελισσοκόμοι Κρήτης", region="crete", is_verified=True)
    attica = OrganisationFactory(name="Μέλισσες Αττικής", region="attica", is_verified=True)
    organic = Certification.objects.get(code="organic")
    products = {}
    for title, organisation, certified in [
        ("Μέλι Θυμαρίσιο Κρήτης 450 g", crete, True),
        ("Μέλι Θυμαρίσιο Κρήτης 900 g", crete, False),
        ("Μέλι Θυμαρίσιο Υμηττού", attica, True),
        ("Ελαιόλαδο Κρήτης", crete, True),
    ]:
        product = create_offered_product(title=title, organisation=organisation,
                                         product_class=food, price=Decimal("9.00"))  # fmt: skip
        if certified:
            product.certifications.add(organic)
        products[title] = product
    return products


def result_titles(page):
    return sorted(page.locator(".listing-results article.product_pod h3 a").evaluate_all(
        "links => links.map(link => link.title)"
    ))  # fmt: skip


def test_shopper_narrows_a_greek_search_and_comes_back_to_it(live_server, page, honey):
    page.goto(live_server.url + "/market/search/")
    page.locator("#listing-q").fill("μελι θυμαρισιο")
    page.locator("#listing-q").press("Enter")
    expect(page.locator(".listing-count")).to_have_attribute("data-count", "3")
    assert result_titles(page) == [
        "Μέλι Θυμαρίσιο Κρήτης 450 g", "Μέλι Θυμαρίσιο Κρήτης 900 g", "Μέλι Θυμαρίσιο Υμηττού",
    ]  # fmt: skip

    region = page.locator("[data-facet=region] a", has_text="Κρήτη")
    expect(region).to_contain_text("(2)")
    region.click()
    expect(page.locator(".listing-count")).to_have_attribute("data-count", "2")
    organic = page.locator("[data-facet=certification] a", has_text="Βιολογικό")
    expect(organic).to_contain_text("(1)")
    organic.click()
    expect(page.locator(".listing-count")).to_have_attribute("data-count", "1")
    assert result_titles(page) == ["Μέλι Θυμαρίσιο Κρήτης 450 g"]
    filtered_url = page.url
    assert filtered_url == (
        live_server.url
        + "/market/search/?q="
        + quote("μελι θυμαρισιο").replace("%20", "+")
        + "&region=crete&certification=organic"
    )

    page.locator(".listing-results h3 a").first.click()
    expect(page).to_have_url(
        re.compile(re.escape(honey["Μέλι Θυμαρίσιο Κρήτης 450 g"].get_absolute_url()))
    )
    expect(page.locator("h1")).to_have_text("Μέλι Θυμαρίσιο Κρήτης 450 g")

    page.go_back()
    assert page.url == filtered_url
    expect(page.locator("#listing-q")).to_have_value("μελι θυμαρισιο")
    expect(page.locator("[data-facet=region] a[aria-current=true]")).to_contain_text("Κρήτη")
    expect(page.locator("[data-facet=certification] a[aria-current=true]")).to_contain_text(
        "Βιολογικό"
    )
    expect(page.locator(".listing-selected a[data-filter]")).to_have_count(2)
    assert result_titles(page) == ["Μέλι Θυμαρίσιο Κρήτης 450 g"]

    # Removing the region keeps the certification.
    page.locator(".listing-selected a[data-filter=region]").click()
    expect(page.locator(".listing-count")).to_have_attribute("data-count", "2")
    assert result_titles(page) == ["Μέλι Θυμαρίσιο Κρήτης 450 g", "Μέλι Θυμαρίσιο Υμηττού"]


@pytest.mark.parametrize("width", [1280, 360])
def test_search_results_meet_wcag_21_aa(live_server, browser, honey, width):
    paths = [
        "/market/search/?q=" + quote("μελι θυμαρισιο"),
        "/market/search/?q=" + quote("μελι") + "&region=crete&certification=organic",
        "/market/catalogue/",
    ]
    assert violations_on(browser, live_server, paths, width) == {}
