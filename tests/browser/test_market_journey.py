"""A consumer buys from two organisations in one checkout; each organisation sees only
its own part in its dashboard."""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from shop.order.models import Purchase
from tests.factories import ProductClassFactory, create_member, create_offered_product
from tests.factories.market import VALID_IBAN, selling_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def market():
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    cosmetics = ProductClassFactory(name="Καλλυντικά", vat_rate="standard")
    bees = selling_organisation(
        "Μελισσοκομικός Συνεταιρισμός Κρήτης",
        is_verified=True,
        accepts_bank_transfer=True,
        iban=VALID_IBAN,
        pickup_instructions="Δευτέρα–Παρασκευή 9:00–14:00",
    )
    soap = selling_organisation(
        "Γυναικείος Συνεταιρισμός Σαπωνοποιίας Λέσβου",
        is_verified=True,
        accepts_bank_transfer=True,
        iban="GR9608100010000001234567890",
    )
    create_offered_product(
        title="Θυμαρίσιο μέλι 450 g", price=Decimal("8.00"), product_class=food,
        organisation=bees, stock=10,
    )  # fmt: skip
    create_offered_product(
        title="Σαπούνι ελαιολάδου", price=Decimal("3.00"), product_class=cosmetics,
        organisation=soap, stock=10,
    )  # fmt: skip
    return {
        "bees": bees,
        "soap": soap,
        "bees_member": create_member(bees, email="meli@example.org"),
        "soap_member": create_member(soap, email="sapouni@example.org"),
    }


def log_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login-username", email)
    page.fill("#id_login-password", PASSWORD)
    page.click("button[name=login_submit]")


def audit(page):
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
    ]


def test_consumer_orders_from_two_organisations_and_each_sees_only_its_part(
    live_server, page, browser, market
):
    bees, soap = market["bees"], market["soap"]
    page.goto(live_server.url + "/market/catalogue/")
    for title in ("Θυμαρίσιο μέλι 450 g", "Σαπούνι ελαιολάδου"):
        card = page.locator("article.product_pod", has_text=title)
        card.locator("form button[type=submit]").click()
        expect(page.locator(".alert-success").first).to_be_visible()

    page.goto(live_server.url + "/market/basket/")
    groups = page.locator("section.basket-group")
    expect(groups).to_have_count(2)
    # Parts come in the organisations' alphabetical order.
    expect(groups.nth(0)).to_contain_text(soap.name)
    expect(groups.nth(0)).to_contain_text("3,72\xa0€")
    expect(groups.nth(1)).to_contain_text(bees.name)
    expect(groups.nth(1)).to_contain_text("9,04\xa0€")

    page.click("a[href='/market/checkout/']")
    expect(page).to_have_url(live_server.url + "/market/checkout/")
    assert audit(page) == []
    page.fill("#id_contact-name", "Ελένη Παπαδάκη")
    page.fill("#id_contact-email", "eleni@example.org")
    page.fill("#id_contact-phone", "6912345678")
    for organisation in (bees, soap):
        page.check(f"input[name='org-{organisation.pk}-delivery_method'][value='pickup']")
        page.check(f"input[name='org-{organisation.pk}-payment_method'][value='bank_transfer']")
    page.click(".checkout-form button[type=submit]")

    purchase = Purchase.objects.get()
    expect(page).to_have_url(live_server.url + purchase.get_absolute_url())
    expect(page.locator(".alert-success").first).to_contain_text(purchase.number)
    parts = page.locator("article.purchase-part")
    expect(parts).to_have_count(2)
    expect(parts.nth(0)).to_contain_text(soap.name)
    expect(parts.nth(0).locator(".iban")).to_have_text("GR96 0810 0010 0000 0123 4567 890")
    expect(parts.nth(0).locator(".payment-reference")).to_have_text(f"{purchase.number}-1")
    expect(parts.nth(0).locator(".order-total")).to_have_text("3,72\xa0€")
    expect(parts.nth(1)).to_contain_text(bees.name)
    expect(parts.nth(1).locator(".iban")).to_have_text("GR16 0110 1250 0000 0001 2300 695")
    expect(parts.nth(1).locator(".payment-reference")).to_have_text(f"{purchase.number}-2")
    expect(parts.nth(1).locator(".order-total")).to_have_text("9,04\xa0€")
    assert audit(page) == []

    for member, own, other in (
        (market["soap_member"], "1", "2"),
        (market["bees_member"], "2", "1"),
    ):
        context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
        vendor = context.new_page()
        vendor.set_default_timeout(15_000)
        log_in(vendor, live_server, member.email)
        vendor.goto(live_server.url + "/dashboard/orders/")
        orders_table = vendor.locator("body")
        expect(orders_table).to_contain_text(f"{purchase.number}-{own}")
        expect(orders_table).not_to_contain_text(f"{purchase.number}-{other}")
        response = vendor.goto(live_server.url + f"/dashboard/orders/{purchase.number}-{other}/")
        assert response.status == 404
        context.close()
