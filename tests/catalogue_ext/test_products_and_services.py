from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from oscar.core.loading import get_class, get_model

from tests.factories import (
    OrganisationFactory,
    ProductClassFactory,
    StockRecordFactory,
    create_offered_product,
)

Certification = get_model("catalogue", "Certification")
Selector = get_class("partner.strategy", "Selector")

pytestmark = pytest.mark.django_db


@pytest.fixture
def services():
    return ProductClassFactory(name="Υπηρεσίες", vat_rate="standard", kind="service",
                               track_stock=False, requires_shipping=False)  # fmt: skip


def test_the_five_certifications_exist():
    assert list(Certification.objects.values_list("code", flat=True)) == [
        "organic", "pdo", "pgi", "fair-trade", "handmade",
    ]  # fmt: skip


def test_good_and_service_are_told_apart_by_their_class(services):
    honey = create_offered_product(title="Μέλι")
    tour = create_offered_product(title="Ξενάγηση", product_class=services, stock=None)
    assert not honey.is_service
    assert tour.is_service
    assert not tour.is_quote_only


def test_quote_only_service_cannot_be_bought_online(services):
    study = create_offered_product(title="Μελέτη φωτοβολταϊκού", product_class=services,
                                   stock=None, service_booking="quote")  # fmt: skip

    info = Selector().strategy().fetch_for_product(study)

    assert study.is_quote_only
    assert not info.availability.is_available_to_buy
    assert info.availability.code == "quote"


def test_bookable_service_with_places_is_limited_to_them(services):
    tour = create_offered_product(title="Πεζοπορία", product_class=services, stock=2,
                                  price=Decimal("35.00"))  # fmt: skip
    strategy = Selector().strategy()

    assert strategy.fetch_for_product(tour).availability.is_purchase_permitted(2)[0]
    assert not strategy.fetch_for_product(tour).availability.is_purchase_permitted(3)[0]
    assert strategy.fetch_for_product(tour).price.incl_tax == Decimal("43.40")


def test_bookable_service_without_places_is_always_available(services):
    care = create_offered_product(title="Φροντίδα", product_class=services, stock=None)
    availability = Selector().strategy().fetch_for_product(care).availability
    assert availability.is_purchase_permitted(50)[0]


def test_a_product_belongs_to_exactly_one_organisation():
    honey = create_offered_product(title="Μέλι")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecordFactory(product=honey, partner=OrganisationFactory())
    assert honey.stockrecords.count() == 1


def test_stock_can_never_be_negative_in_the_database():
    honey = create_offered_product(title="Μέλι", stock=1)
    stockrecord = honey.stockrecords.get()
    stockrecord.num_in_stock = -1
    with pytest.raises(IntegrityError), transaction.atomic():
        stockrecord.save()
    stockrecord.refresh_from_db()
    assert stockrecord.num_in_stock == 1


def test_product_page_shows_service_details_and_badges(client, services):
    tour = create_offered_product(
        title="Πεζοπορία στη χαράδρα του Βίκου", product_class=services, stock=12,
        service_duration=timedelta(hours=8), service_location="on_site",
        service_area="Ζαγόρι, Ιωάννινα",
    )  # fmt: skip
    honey = create_offered_product(title="Κρόκος Κοζάνης ΠΟΠ 1 g")
    honey.certifications.set(Certification.objects.filter(code__in=["pdo", "organic"]))

    tour_html = client.get(tour.get_absolute_url()).content.decode()
    honey_html = client.get(honey.get_absolute_url()).content.decode()

    assert "<dt>Διάρκεια</dt><dd>8 ώρες</dd>" in tour_html
    assert "Σε εξωτερικό χώρο ή επί τόπου — Ζαγόρι, Ιωάννινα" in tour_html
    assert 'certification-badge--pdo">ΠΟΠ (προστατευόμενη ονομασία προέλευσης)' in honey_html
    assert 'certification-badge--organic">Βιολογικό' in honey_html


def test_quote_only_service_page_offers_to_ask_the_organisation(client, services):
    organisation = OrganisationFactory(contact_email="info@energeia.example.org")
    study = create_offered_product(title="Μελέτη φωτοβολταϊκού στέγης", product_class=services,
                                   stock=None, service_booking="quote",
                                   organisation=organisation)  # fmt: skip

    html = client.get(study.get_absolute_url()).content.decode()

    assert 'href="mailto:info@energeia.example.org?subject=' in html
    assert "Ζητήστε προσφορά" in html
    assert "Προσθήκη στο καλάθι" not in html
