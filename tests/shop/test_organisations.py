"""The organisation directory and the storefronts."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganisationFactory, UserFactory, create_offered_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def beekeepers():
    return OrganisationFactory(
        name="Μελισσοκόμοι Χαλκιδικής",
        legal_form="agricultural_cooperative",
        region="central-macedonia",
        municipality="Πολύγυρος",
        is_verified=True,
        vat_number="094259216",
        contact_email="info@meli.example.org",
        website="https://meli.example.org",
        facebook_url="https://www.facebook.com/meli",
    )


def names_in(html, css_class):
    return re.findall(rf'class="{css_class}"><a href="[^"]+">([^<]+)</a>', html)


def test_directory_lists_verified_organisations_only(client, beekeepers):
    OrganisationFactory(name="Νέα ΚοινΣΕπ", is_verified=False)

    html = client.get("/market/organisations/").content.decode()

    assert names_in(html, "organisation-card__name") == ["Μελισσοκόμοι Χαλκιδικής"]
    assert "1 φορέας" in html


def test_directory_filters_by_region_and_legal_form(client, beekeepers):
    OrganisationFactory(name="Ενεργειακή Κοινότητα Καρδίτσας", legal_form="energy_community",
                        region="thessaly", is_verified=True)  # fmt: skip
    OrganisationFactory(name="ΚοινΣΕπ Το Αλώνι", legal_form="koinsep", region="thessaly",
                        is_verified=True)  # fmt: skip

    by_region = client.get("/market/organisations/?region=thessaly").content.decode()
    by_both = client.get(
        "/market/organisations/?region=thessaly&legal_form=koinsep"
    ).content.decode()
    bad_filter = client.get("/market/organisations/?region=atlantis")

    assert names_in(by_region, "organisation-card__name") == [
        "Ενεργειακή Κοινότητα Καρδίτσας",
        "ΚοινΣΕπ Το Αλώνι",
    ]
    assert names_in(by_both, "organisation-card__name") == ["ΚοινΣΕπ Το Αλώνι"]
    # An unknown filter value shows everything rather than failing.
    assert bad_filter.status_code == 200
    assert len(names_in(bad_filter.content.decode(), "organisation-card__name")) == 3


def test_directory_is_paginated(client):
    for number in range(30):
        OrganisationFactory(name=f"Συνεταιρισμός {number:02d}", is_verified=True)

    first = client.get("/market/organisations/").content.decode()
    second = client.get("/market/organisations/?page=2").content.decode()

    assert len(names_in(first, "organisation-card__name")) == 24
    assert len(names_in(second, "organisation-card__name")) == 6
    assert 'rel="next" href="?page=2"' in first


def test_storefront_shows_profile_products_and_contact(client, beekeepers):
    create_offered_product(organisation=beekeepers, title="Μέλι Πεύκου 900 g",
                           price=Decimal("11.50"))  # fmt: skip
    create_offered_product(organisation=beekeepers, title="Μέλι Θυμαρίσιο 450 g",
                           price=Decimal("8.80"))  # fmt: skip
    create_offered_product(title="Προϊόν άλλου φορέα")

    response = client.get(f"/market/organisations/{beekeepers.code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Μελισσοκόμοι Χαλκιδικής</h1>" in html
    assert names_in(html, "product-summary__title") == [
        "Μέλι Θυμαρίσιο 450 g",
        "Μέλι Πεύκου 900 g",
    ]
    assert "Προϊόν άλλου φορέα" not in html
    assert 'href="mailto:info@meli.example.org"' in html
    assert 'href="https://meli.example.org"' in html
    assert 'href="https://www.facebook.com/meli"' in html
    assert "094259216" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price-asc", ["Φτηνό", "Μεσαίο", "Ακριβό"]),
        ("price-desc", ["Ακριβό", "Μεσαίο", "Φτηνό"]),
        ("title", ["Ακριβό", "Μεσαίο", "Φτηνό"]),
        ("newest", ["Ακριβό", "Μεσαίο", "Φτηνό"]),
    ],
)
def test_storefront_sorts_products(client, beekeepers, sort, expected):
    for title, price in [("Φτηνό", "1.00"), ("Μεσαίο", "5.00"), ("Ακριβό", "9.00")]:
        create_offered_product(organisation=beekeepers, title=title, price=Decimal(price))

    html = client.get(f"/market/organisations/{beekeepers.code}/?sort={sort}").content.decode()

    assert names_in(html, "product-summary__title") == expected


def test_unverified_storefront_is_seen_only_by_its_members_and_staff(client):
    newcomer = OrganisationFactory(name="Νέα ΚοινΣΕπ", is_verified=False)
    member, stranger = UserFactory(), UserFactory()
    newcomer.users.add(member)
    url = f"/market/organisations/{newcomer.code}/"

    assert client.get(url).status_code == 404
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert "Αναμένει επαλήθευση" in response.content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 200


def test_unknown_storefront_is_404(client):
    assert client.get("/market/organisations/no-such-organisation/").status_code == 404


def test_product_page_names_and_links_the_organisation(client, beekeepers):
    honey = create_offered_product(organisation=beekeepers, title="Μέλι Θυμαρίσιο 450 g")

    html = client.get(honey.get_absolute_url()).content.decode()

    assert f'<a href="/market/organisations/{beekeepers.code}/">Μελισσοκόμοι Χαλκιδικής</a>' in html


def queries_for(client, path):
    client.get(path)  # warm-up: thumbnails are made and cached once
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_directory_queries_do_not_grow_with_organisations(client):
    OrganisationFactory(is_verified=True)
    with_one = queries_for(client, "/market/organisations/")
    for _ in range(29):
        create_offered_product(organisation=OrganisationFactory(is_verified=True))
    with_thirty = queries_for(client, "/market/organisations/")
    assert with_thirty == with_one


def test_storefront_queries_do_not_grow_with_products(client, beekeepers):
    create_offered_product(organisation=beekeepers)
    url = f"/market/organisations/{beekeepers.code}/"
    with_one = queries_for(client, url)
    for _ in range(29):
        create_offered_product(organisation=beekeepers)
    with_thirty = queries_for(client, url)
    assert with_thirty == with_one


def test_vat_number_and_iban_are_stored_normalised_and_unique(beekeepers):
    organisation = OrganisationFactory(
        vat_number="EL 090 000 045", iban="gr16 0110 1250 0000 0001 2300 695"
    )
    organisation.refresh_from_db()
    assert organisation.vat_number == "090000045"
    assert organisation.iban == "GR1601101250000000012300695"
    assert organisation.iban_display == "GR16 0110 1250 0000 0001 2300 695"
    with pytest.raises(IntegrityError):
        OrganisationFactory(vat_number="094259216")


@pytest.mark.parametrize("name", ["New", "Mine", "Invitations"])
def test_organisation_named_like_a_directory_page_gets_a_storefront_of_its_own(client, name):
    organisation = OrganisationFactory(name=name, is_verified=True)
    assert organisation.code == f"{name.lower()}-organisation"
    response = client.get(f"/market/organisations/{organisation.code}/")
    assert response.status_code == 200
    assert f"<h1>{name}</h1>" in response.content.decode()


def test_storefront_filters_by_certification_and_kind(client, beekeepers):
    from oscar.core.loading import get_model

    from tests.factories import ProductClassFactory

    certification = get_model("catalogue", "Certification").objects.get(code="organic")
    organic = create_offered_product(organisation=beekeepers, title="Βιολογικό μέλι")
    organic.certifications.add(certification)
    create_offered_product(organisation=beekeepers, title="Συμβατικό μέλι")
    services = ProductClassFactory(name="Υπηρεσίες", kind="service", track_stock=False)
    create_offered_product(organisation=beekeepers, title="Ξενάγηση", product_class=services)
    url = f"/market/organisations/{beekeepers.code}/"

    organic_only = client.get(url + "?certification=organic").content.decode()
    services_only = client.get(url + "?kind=service").content.decode()
    unknown = client.get(url + "?certification=magic")

    assert names_in(organic_only, "product-summary__title") == ["Βιολογικό μέλι"]
    assert 'certification-badge--organic">Βιολογικό' in organic_only
    assert names_in(services_only, "product-summary__title") == ["Ξενάγηση"]
    assert unknown.status_code == 200
    assert len(names_in(unknown.content.decode(), "product-summary__title")) == 3
