import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from oscar.core.loading import get_model

from mentors.demo import MENTORS
from shop.demo import DEMO_PASSWORD, STAFF_EMAIL, demo_counts, demo_member_email
from shop.demo_data import ORGANISATIONS

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded():
    call_command("load_demo", verbosity=0)
    return demo_counts()


def test_load_demo_twice_gives_the_same_counts(demo_loaded):
    call_command("load_demo", verbosity=0)

    assert demo_counts() == demo_loaded
    assert demo_loaded["organisations"] == len(ORGANISATIONS)
    assert demo_loaded["products"] == sum(len(org["products"]) for org in ORGANISATIONS)
    assert demo_loaded["images"] == demo_loaded["products"]
    assert demo_loaded["users"] == len(ORGANISATIONS) + 1 + len(MENTORS)


def test_demo_covers_many_legal_forms_and_regions(demo_loaded):
    legal_forms = set(Partner.objects.values_list("legal_form", flat=True))
    regions = set(Partner.objects.values_list("region", flat=True))

    assert Partner.objects.count() >= 12
    assert {
        "agricultural_cooperative",
        "koinsep",
        "womens_cooperative",
        "energy_community",
        "consumer_cooperative",
        "ngo",
    } <= legal_forms
    assert len(regions) >= 8


def test_every_demo_organisation_offers_five_products_with_images(demo_loaded):
    for organisation in Partner.objects.all():
        products = Product.objects.filter(stockrecords__partner=organisation)
        assert products.count() >= 5, organisation.name
        assert ProductImage.objects.filter(product__in=products).count() == products.count()
    image = ProductImage.objects.first()
    with image.original.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # a real JPEG


def test_demo_products_have_latin_slugs_and_prices_in_euro(demo_loaded):
    honey = Product.objects.get(title="Μέλι Θυμαρίσιο 450 g")
    assert honey.slug == "meli-thymarisio-450-g"
    stockrecord = honey.stockrecords.get()
    assert stockrecord.price_currency == "EUR"
    assert stockrecord.partner.name == "Αγροτικός Συνεταιρισμός Μελισσοκόμων Χαλκιδικής"


def test_demo_users_log_in_and_belong_to_their_organisation(client, demo_loaded):
    User = get_user_model()
    staff = User.objects.get(email=STAFF_EMAIL)
    assert staff.is_staff and staff.is_superuser

    first = ORGANISATIONS[0]
    member = User.objects.get(email=demo_member_email(first["login"]))
    assert list(member.partners.values_list("name", flat=True)) == [first["name"]]
    assert member.has_perm("partner.dashboard_access")
    assert not member.is_staff
    assert client.login(username=member.email, password=DEMO_PASSWORD)
