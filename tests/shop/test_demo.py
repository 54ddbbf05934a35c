from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from oscar.core.loading import get_model

from mentors.demo import MENTORS
from shop.demo import DEMO_PASSWORD, STAFF_EMAIL, demo_counts, demo_member_email
from shop.demo_data import ORGANISATIONS, SELLING

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
ShippingFee = get_model("partner", "ShippingFee")
StockRecord = get_model("partner", "StockRecord")

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


def _selling_snapshot():
    return (
        list(
            Partner.objects.order_by("pk").values_list(
                "pk",
                "tax_office",
                "offers_pickup",
                "pickup_instructions",
                "offers_shipping",
                "accepts_bank_transfer",
                "accepts_cash",
            )
        ),
        list(
            ShippingFee.objects.order_by("pk").values_list(
                "pk", "organisation", "min_subtotal", "fee"
            )
        ),
    )


def test_demo_selling_settings_are_unchanged_by_a_second_load(demo_loaded):
    before = _selling_snapshot()

    call_command("load_demo", verbosity=0)

    assert _selling_snapshot() == before
    assert demo_loaded["shipping_fees"] == sum(len(table or []) for _, _, table in SELLING.values())


def test_every_demo_organisation_offers_pickup_and_takes_cash_and_transfers(demo_loaded):
    for organisation in Partner.objects.all():
        assert organisation.offers_pickup, organisation.name
        assert organisation.pickup_instructions, organisation.name
        assert organisation.accepts_cash, organisation.name
        assert organisation.accepts_bank_transfer == bool(organisation.iban), organisation.name
        assert organisation.tax_office.startswith("ΔΟΥ "), organisation.name
    assert Partner.objects.filter(accepts_bank_transfer=True).count() >= 12


def test_most_demo_goods_sellers_ship_with_a_fee_table_from_zero(demo_loaded):
    shipping = Partner.objects.filter(offers_shipping=True)
    assert shipping.count() >= len(ORGANISATIONS) - 2
    for organisation in shipping:
        table = list(organisation.shipping_fees.values_list("min_subtotal", "fee"))
        assert table[0][0] == Decimal("0.00"), organisation.name
        assert table[0][1] > 0, organisation.name
        assert len(table) >= 2, organisation.name
        assert table[-1][1] == Decimal("0.00"), organisation.name  # free shipping
    for organisation in Partner.objects.filter(offers_shipping=False):
        assert not organisation.shipping_fees.exists(), organisation.name
    honey_seller = Partner.objects.get(name=ORGANISATIONS[0]["name"])
    assert honey_seller.shipping_fee_for(Decimal("59.99")) == Decimal("4.50")
    assert honey_seller.shipping_fee_for(Decimal("60.00")) == Decimal("0.00")


def test_demo_offers_honey_soap_and_a_guided_tour_from_three_organisations(demo_loaded):
    honey = StockRecord.objects.select_related("product", "partner").get(
        product__title="Μέλι Θυμαρίσιο 450 g"
    )
    soap = StockRecord.objects.select_related("product", "partner").get(
        product__title="Σαπούνι ελαιολάδου (σετ 4)"
    )
    tour = StockRecord.objects.select_related("product", "partner").get(
        product__title="Ξενάγηση στα πέτρινα γεφύρια"
    )

    assert len({honey.partner_id, soap.partner_id, tour.partner_id}) == 3
    assert honey.num_in_stock > 0 and soap.num_in_stock > 0
    assert not honey.product.is_service and not soap.product.is_service
    assert tour.product.is_service
    assert tour.product.service_booking == "bookable"
    assert tour.num_in_stock == 15  # places
    for stockrecord in (honey, soap, tour):
        assert stockrecord.partner.is_verified
        assert stockrecord.partner.offers_pickup and stockrecord.partner.accepts_bank_transfer
        assert stockrecord.partner.users.exists()
