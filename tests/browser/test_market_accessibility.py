"""The social market's ordering pages meet WCAG 2.1 AA (axe) and fit a 360 px screen:
basket, checkout, a purchase's page, a receipt, and an organisation's selling settings."""

from decimal import Decimal

import pytest

from shop.order.services import Consumer, PartChoice, place_purchase
from tests.browser.test_thinktank_accessibility import violations_on
from tests.factories import ProductClassFactory, create_member, create_offered_product
from tests.factories.market import VALID_IBAN, basket_with, selling_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def market():
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    bees = selling_organisation(
        "Μελισσοκομικός Συνεταιρισμός Κρήτης",
        is_verified=True,
        accepts_bank_transfer=True,
        iban=VALID_IBAN,
        shipping_fees=[("0", "4.50"), ("60", "0")],
        pickup_instructions="Δευτέρα–Παρασκευή 9:00–14:00",
    )
    honey = create_offered_product(
        title="Θυμαρίσιο μέλι 450 g", price=Decimal("8.00"), product_class=food,
        organisation=bees, stock=10,
    )  # fmt: skip
    purchase = place_purchase(
        basket_with((honey, 2)),
        Consumer(email="eleni@example.org", name="Ελένη Παπαδάκη", phone="+306912345678"),
        {bees.pk: PartChoice("pickup", "bank_transfer")},
    )
    order = purchase.orders.get()
    return {
        "honey": honey,
        "member": create_member(bees, email="meli@example.org"),
        "paths": [
            purchase.get_absolute_url(),
            f"/market/checkout/purchases/{purchase.token}/receipts/{order.number}/",
        ],
        "member_paths": [f"/market/organisations/{bees.code}/selling/"],
    }


@pytest.mark.parametrize("width", [1280, 360])
def test_purchase_and_receipt_pages_meet_wcag_21_aa(live_server, browser, market, width):
    assert violations_on(browser, live_server, market["paths"], width) == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_selling_settings_meet_wcag_21_aa(live_server, browser, market, width):
    found = violations_on(
        browser, live_server, market["member_paths"], width, user=market["member"]
    )
    assert found == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_basket_and_checkout_meet_wcag_21_aa(live_server, browser, market, width):
    # The member's own basket: the product is added from its page, then both pages read.
    honey = market["honey"]
    context = browser.new_context(locale="el-GR", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + honey.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.wait_for_load_state()
    cookies = context.cookies()
    context.close()
    assert any(cookie["name"] == "oscar_open_basket" for cookie in cookies)
    found = violations_on(
        browser, live_server, ["/market/basket/", "/market/checkout/"], width, cookies=cookies
    )
    assert found == {}
