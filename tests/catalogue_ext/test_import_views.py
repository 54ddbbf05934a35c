import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from oscar.core.loading import get_model

from tests.factories import OrganisationFactory, ProductClassFactory, UserFactory

StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db

GOOD_FILE = "sku;title;product_class;price;stock\nMEL-1;Μέλι Θυμαρίσιο;Τρόφιμα;8,80;10\n"
BAD_FILE = "sku;title;product_class;price;stock\nMEL-1;Μέλι;Τρόφιμα;δωρεάν;10\n"


@pytest.fixture
def member_client(client):
    ProductClassFactory(name="Τρόφιμα")
    organisation = OrganisationFactory(name="Μελισσοκόμοι")
    member = UserFactory()
    organisation.users.add(member)
    client.force_login(member)
    client.organisation = organisation
    return client


def url(organisation, name=""):
    return f"/market/organisations/{organisation.code}/products/import/{name}"


def csv_file(text):
    return SimpleUploadedFile("products.csv", text.encode(), content_type="text/csv")


def test_member_imports_a_good_file(member_client):
    organisation = member_client.organisation

    response = member_client.post(url(organisation), {"file": csv_file(GOOD_FILE)})

    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    record = StockRecord.objects.get(partner=organisation, partner_sku="MEL-1")
    assert record.product.title == "Μέλι Θυμαρίσιο"
    page = member_client.get(response["Location"]).content.decode()
    assert "Εισήχθησαν: 1 νέα, 0 ενημερώθηκαν." in page


def test_bad_file_shows_the_lines_to_fix_and_imports_nothing(member_client):
    response = member_client.post(url(member_client.organisation), {"file": csv_file(BAD_FILE)})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>2</td><td>Η τιμή «δωρεάν» δεν είναι αριθμός.</td>" in html
    assert Product.objects.count() == 0


def test_member_downloads_the_template(member_client):
    response = member_client.get(url(member_client.organisation, "template.csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8").startswith("\ufeffsku;title;description;")


def test_strangers_cannot_import_into_another_organisation(client):
    ProductClassFactory(name="Τρόφιμα")
    organisation = OrganisationFactory()
    client.force_login(UserFactory())

    assert client.get(url(organisation)).status_code == 404
    assert client.get(url(organisation, "template.csv")).status_code == 404
    response = client.post(url(organisation), {"file": csv_file(GOOD_FILE)})
    assert response.status_code == 404
    assert Product.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    organisation = OrganisationFactory()
    response = client.get(url(organisation))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
