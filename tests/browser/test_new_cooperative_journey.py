"""A new cooperative joins the network: it signs up, is verified by two member
organisations, lists a product and a service with photos, and shoppers find them."""

import io

import pytest
from django.contrib.auth.models import Permission
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from PIL import Image
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, ProductClassFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "Μελισσοκομία-2026!"


@pytest.fixture
def network():
    ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    ProductClassFactory(name="Υπηρεσίες", vat_rate="standard", kind="service",
                        track_stock=False, requires_shipping=False)  # fmt: skip
    create_from_breadcrumbs("Τρόφιμα > Μέλι")
    create_from_breadcrumbs("Υπηρεσίες > Ξεναγήσεις")
    dashboard = Permission.objects.get(
        codename="dashboard_access", content_type__app_label="partner"
    )
    members = []
    for name in ("Ενεργειακή Κοινότητα Καρδίτσας", "ΚοινΣΕπ Το Αλώνι"):
        organisation = OrganisationFactory(name=name, is_verified=True)
        member = UserFactory(email=f"member@{organisation.code}.example.org")
        member.user_permissions.add(dashboard)
        organisation.users.add(member)
        members.append(member)
    return members


def photo(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def log_in(page, base, email, password):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login-username", email)
    page.fill("#id_login-password", password)
    page.click("button[name=login_submit]")


def add_in_dashboard(page, base, *, product_class, category, title, sku, price, stock, colour):
    page.goto(base + "/dashboard/catalogue/")
    page.select_option("#create_product_with_class_form select[name=product_class]",
                       label=product_class)  # fmt: skip
    page.click("#create_product_with_class_form button[type=submit]")
    page.fill("#id_title", title)
    page.click("a[href='#product_category']")
    page.select_option("#id_productcategory_set-0-category", label=category)
    page.click("a[href='#product_stock']")
    page.fill("#id_stockrecords-0-partner_sku", sku)
    if stock is not None:  # classes that track no stock have no stock field
        page.fill("#id_stockrecords-0-num_in_stock", stock)
    page.fill("#id_stockrecords-0-price", price)
    page.click("a[href='#product_images']")
    page.set_input_files("#id_images-0-original", files=[photo(colour)])
    page.click("button[name=action][value=save]")
    expect(page.locator(".alert-success")).to_be_visible()


def test_new_cooperative_is_verified_lists_and_is_found(live_server, page, network):
    base = live_server.url

    # 1. A beekeeper signs up and creates the cooperative.
    page.goto(base + "/accounts/register/")
    page.fill("#id_email", "anna@meli.example.org")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("button[name=registration_submit]")
    page.goto(base + "/market/organisations/new/")
    page.fill("#id_name", "Μελισσοκόμοι Θάσου")
    page.select_option("#id_legal_form", value="agricultural_cooperative")
    page.fill("#id_vat_number", "094259216")
    page.select_option("#id_region", value="east-macedonia-thrace")
    page.fill("#id_municipality", "Θάσου")
    page.fill("#id_contact_email", "info@meli-thasou.example.org")
    page.get_by_role("button", name="Δημιουργία του φορέα").click()
    expect(page.locator("h1")).to_have_text("Μελισσοκόμοι Θάσου")
    storefront = page.url
    page.goto(base + "/market/organisations/")
    expect(page.locator(".organisation-card__name")).not_to_contain_text(["Μελισσοκόμοι Θάσου"])

    # 2. Members of two different verified organisations vouch for it.
    for member in network:
        log_in(page, base, member.email, PASSWORD)
        page.goto(storefront)
        page.get_by_role("button", name="Εγγύηση για αυτόν τον φορέα").click()
    page.goto(base + "/market/organisations/")
    expect(page.locator(".organisation-card__name", has_text="Μελισσοκόμοι Θάσου")).to_be_visible()

    # 3. The new member lists a product and a service, each with a photo.
    log_in(page, base, "anna@meli.example.org", NEW_PASSWORD)
    add_in_dashboard(page, base, product_class="Τρόφιμα", category="Τρόφιμα > Μέλι",
                     title="Μέλι Θάσου 450 g", sku="TH-1", price="8.00", stock="30",
                     colour=(220, 160, 30))  # fmt: skip
    add_in_dashboard(page, base, product_class="Υπηρεσίες", category="Υπηρεσίες > Ξεναγήσεις",
                     title="Ξενάγηση στα μελίσσια της Θάσου", sku="TH-2", price="15.00",
                     stock=None, colour=(40, 120, 60))  # fmt: skip

    # 4. Anyone finds both on the storefront and in the catalogue, with their photos.
    page.context.clear_cookies()
    page.goto(storefront)
    for title in ("Μέλι Θάσου 450 g", "Ξενάγηση στα μελίσσια της Θάσου"):
        card = page.locator(".product-summary", has_text=title)
        expect(card).to_be_visible()
        assert card.locator("img").get_attribute("src").startswith("/media/cache/")
    page.goto(base + "/market/catalogue/")
    links = page.locator("article.product_pod h3 a")
    expect(links).to_have_count(2)
    titles = sorted(links.nth(n).get_attribute("title") for n in range(2))
    assert titles == ["Μέλι Θάσου 450 g", "Ξενάγηση στα μελίσσια της Θάσου"]
