"""What a newcomer does first: the Greek home page, the catalogue, the basket, English."""

import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, ProductClassFactory, create_offered_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def market():
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    organisation = OrganisationFactory(
        name="Αγροτικός Συνεταιρισμός Μελισσοκόμων Χαλκιδικής",
        is_verified=True,
        contact_email="info@meli.example.org",
    )
    honey = create_offered_product(
        title="Μέλι Θυμαρίσιο 450 g", price=Decimal("8.80"), product_class=food,
        organisation=organisation,
    )  # fmt: skip
    create_offered_product(
        title="Μέλι Πεύκου 900 g", price=Decimal("11.50"), product_class=food,
        organisation=organisation,
    )  # fmt: skip
    return honey


def test_newcomer_browses_adds_to_basket_and_switches_to_english(live_server, page, market):
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("Συνεργατική Κοινωνία"))
    pillars = page.locator("section.pillar h2")
    expect(pillars).to_have_text(
        ["Δεξαμενή σκέψης", "Πρόγραμμα επιμόρφωσης ΜΕΝΤΟΡΕΣ", "Κοινωνική αγορά"]
    )

    page.get_by_role("navigation", name="Κύριο μενού").get_by_role(
        "link", name="Προϊόντα και υπηρεσίες"
    ).click()
    expect(page).to_have_url(live_server.url + "/market/catalogue/")
    card = page.locator("article.product_pod", has_text="Μέλι Θυμαρίσιο 450 g")
    expect(card.locator(".price_color")).to_have_text("9,94\xa0€")

    card.get_by_role("button", name="Προσθήκη στο καλάθι").click()
    basket_link = page.locator(".site-account__basket")
    expect(basket_link.locator(".badge")).to_have_text("1")

    basket_link.click()
    expect(page).to_have_url(live_server.url + "/market/basket/")
    expect(page.locator("#content_inner")).to_contain_text("Μέλι Θυμαρίσιο 450 g")
    expect(page.locator("#content_inner")).to_contain_text("9,94\xa0€")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server.url + "/en/market/basket/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".site-account__basket")).to_contain_text("Basket")
    expect(page.locator(".site-account__basket .badge")).to_have_text("1")


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/market/",
        "/market/catalogue/",
        "PRODUCT",
        "/market/basket/",
        "/market/search/?q=μέλι",
        "/accounts/login/",
        "/market/organisations/",
        "STOREFRONT",
        "/thinktank/",
        "/mentors/",
    ],
)
def test_pages_meet_wcag_21_aa(live_server, browser, market, path, width):
    context = browser.new_context(locale="el-GR", viewport={"width": width, "height": 800})
    page = context.new_page()
    special = {
        "PRODUCT": market.get_absolute_url(),
        "STOREFRONT": market.stockrecords.get().partner.get_absolute_url(),
    }
    page.goto(live_server.url + special.get(path, path))

    results = Axe().run(page, options=WCAG_21_AA)
    violations = [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
    ]
    # Nothing wider than a phone's screen: no sideways scrolling at 360 px.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert violations == []
    assert scroll_width <= width


def test_keyboard_user_can_skip_to_the_content(live_server, page, market):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Μετάβαση στο κύριο περιεχόμενο")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    outline = skip_link.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/#main")
