"""A member of an organisation lists a product from the dashboard and sees it in public."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from PIL import Image
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, ProductClassFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 150, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def member():
    ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    create_from_breadcrumbs("Τρόφιμα > Μέλι")
    organisation = OrganisationFactory(
        name="Αγροτικός Συνεταιρισμός Μελισσοκόμων Χαλκιδικής", is_verified=True
    )
    OrganisationFactory(name="Άλλος φορέας", is_verified=True)
    user = UserFactory(email="member@meli.example.org")
    user.user_permissions.add(
        Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    )
    organisation.users.add(user)
    return user, organisation


def test_member_adds_a_product_with_an_image_and_finds_it_on_the_storefront(
    live_server, page, member
):
    user, organisation = member
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login-username", user.email)
    page.fill("#id_login-password", PASSWORD)
    page.click("button[name=login_submit]")

    page.goto(live_server.url + "/dashboard/catalogue/")
    page.select_option(
        "#create_product_with_class_form select[name=product_class]", label="Τρόφιμα"
    )
    page.click("#create_product_with_class_form button[type=submit]")
    page.fill("#id_title", "Μέλι Ελάτης 450 g")

    page.click("a[href='#product_category']")
    page.select_option("#id_productcategory_set-0-category", label="Τρόφιμα > Μέλι")

    page.click("a[href='#product_stock']")
    partner_choices = page.locator("#id_stockrecords-0-partner option").all_inner_texts()
    assert "Άλλος φορέας" not in partner_choices  # only the member's own organisation
    page.select_option("#id_stockrecords-0-partner", label=organisation.name)
    page.fill("#id_stockrecords-0-partner_sku", "MEL-ELA")
    page.fill("#id_stockrecords-0-num_in_stock", "40")
    page.fill("#id_stockrecords-0-price", "9.70")

    page.click("a[href='#product_images']")
    page.set_input_files(
        "#id_images-0-original",
        files=[{"name": "meli.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}],
    )
    page.click("button[name=action][value=save]")
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(live_server.url + organisation.get_absolute_url())
    card = page.locator(".product-summary", has_text="Μέλι Ελάτης 450 g")
    expect(card).to_be_visible()
    expect(card.locator(".product-summary__price")).to_contain_text("10,96\xa0€")
    image_src = card.locator("img").get_attribute("src")
    assert image_src.startswith("/media/cache/")

    record = organisation.stockrecords.get(partner_sku="MEL-ELA")
    assert (record.price, record.num_in_stock) == (Decimal("9.70"), 40)
    assert record.product.images.count() == 1
