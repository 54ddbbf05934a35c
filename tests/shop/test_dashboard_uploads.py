"""Photos uploaded from the dashboard are checked and lose their metadata."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from PIL import Image

from tests.factories import OrganisationFactory, UserFactory, create_offered_product

ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_and_product(client):
    organisation = OrganisationFactory(is_verified=True)
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    )
    organisation.users.add(user)
    product = create_offered_product(organisation=organisation, title="Μέλι")
    product.categories.add(create_from_breadcrumbs("Τρόφιμα"))
    client.force_login(user)
    return product


def product_form_data(product, upload):
    record = product.stockrecords.get()
    return {
        "structure": "standalone",
        "title": product.title,
        "upc": product.upc,
        "is_public": "on",
        "productcategory_set-TOTAL_FORMS": "1",
        "productcategory_set-INITIAL_FORMS": "1",
        "productcategory_set-0-id": product.productcategory_set.get().pk,
        "productcategory_set-0-category": product.productcategory_set.get().category_id,
        "productcategory_set-0-product": product.pk,
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-product": product.pk,
        "images-0-original": upload,
        "images-0-display_order": "0",
        "stockrecords-TOTAL_FORMS": "1",
        "stockrecords-INITIAL_FORMS": "1",
        "stockrecords-0-id": record.pk,
        "stockrecords-0-partner": record.partner_id,
        "stockrecords-0-partner_sku": record.partner_sku,
        "stockrecords-0-price_currency": "EUR",
        "stockrecords-0-price": "10.00",
        "stockrecords-0-num_in_stock": "10",
        "primary_recommendations-TOTAL_FORMS": "0",
        "primary_recommendations-INITIAL_FORMS": "0",
        "action": "save",
    }


def photo_with_gps():
    image = Image.new("RGB", (400, 300), (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (37.0, 58.0, 0.0)  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_dashboard_photo_is_stored_without_exif(client, member_and_product):
    product = member_and_product
    upload = SimpleUploadedFile("IMG_0001.JPG", photo_with_gps(), content_type="image/jpeg")

    response = client.post(
        f"/dashboard/catalogue/products/{product.pk}/", product_form_data(product, upload)
    )

    assert response.status_code == 302
    stored = ProductImage.objects.get(product=product)
    with stored.original.open("rb") as handle:
        data = handle.read()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert stored.original.name.endswith(".jpg")


def test_dashboard_refuses_a_file_that_is_not_an_image(client, member_and_product):
    product = member_and_product
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")

    response = client.post(
        f"/dashboard/catalogue/products/{product.pk}/", product_form_data(product, fake)
    )

    assert response.status_code == 200
    assert ProductImage.objects.filter(product=product).count() == 0


def test_member_cannot_delete_the_only_stock_record_of_a_product(client, member_and_product):
    product = member_and_product
    data = product_form_data(product, upload="")
    data.update({"images-0-original": "", "stockrecords-0-DELETE": "on"})

    response = client.post(f"/dashboard/catalogue/products/{product.pk}/", data)

    assert response.status_code == 200
    assert "delete the product instead" not in response.content.decode()  # shown in Greek
    assert "διαγράψτε" in response.content.decode()
    assert product.stockrecords.count() == 1
