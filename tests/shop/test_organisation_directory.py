"""The organisation directory's filters, sorting and map data (shop/organisations)."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from shop.organisations import selectors
from tests.factories import (
    OrganisationFactory,
    ProductClassFactory,
    create_offered_product,
)

pytestmark = pytest.mark.django_db

Certification = get_model("catalogue", "Certification")
URL = "/market/organisations/"
EN_URL = "/en/market/organisations/"


def names(html):
    return re.findall(r'class="organisation-card__name"><a href="[^"]+">([^<]+)</a>', html)


def names_at(client, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return names(response.content.decode())


def map_data(html):
    found = re.search(
        r'<script id="organisations-map-data" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    return json.loads(found.group(1))


def offer(organisation, *, certifications=(), kind="good", is_public=True):
    product_class = ProductClassFactory(
        name="Υπηρεσίες" if kind == "service" else "Τρόφιμα", kind=kind
    )
    product = create_offered_product(
        organisation=organisation, product_class=product_class, is_public=is_public
    )
    product.certifications.set(Certification.objects.filter(code__in=certifications))
    return product


@pytest.fixture
def network():
    """Four verified organisations (one without a location) and an unverified one."""
    now = timezone.now()
    bees = OrganisationFactory(
        name="Μελισσοκόμοι Χαλκιδικής", legal_form="agricultural_cooperative",
        region="central-macedonia", municipality="Πολύγυρος", is_verified=True,
        description="Θυμαρίσιο και πευκόμελο από τα δάση της Χαλκιδικής.",
        latitude=Decimal("40.371000"), longitude=Decimal("23.443000"),
        created=now - datetime.timedelta(days=30),
    )  # fmt: skip
    aloni = OrganisationFactory(
        name="ΚοινΣΕπ Το Αλώνι", legal_form="koinsep", region="thessaly",
        municipality="Λάρισα", is_verified=True, description="Κέτερινγκ και εκδηλώσεις.",
        latitude=Decimal("39.639000"), longitude=Decimal("22.419000"),
        created=now - datetime.timedelta(days=10),
    )  # fmt: skip
    oil = OrganisationFactory(
        name="Αγροτικός Συνεταιρισμός Αρχανών", legal_form="agricultural_cooperative",
        region="crete", municipality="Αρχάνες", is_verified=True,
        description="ΕΛΑΙΌΛΑΔΟ ΒΙΟΛΟΓΙΚΉΣ καλλιέργειας.",
        latitude=Decimal("35.237000"), longitude=Decimal("25.159000"),
        created=now - datetime.timedelta(days=20),
    )  # fmt: skip
    energy = OrganisationFactory(
        name="Ενεργειακή Κοινότητα Σίφνου", legal_form="energy_community",
        region="south-aegean", municipality="Σίφνος", is_verified=True,
        created=now - datetime.timedelta(days=5),
    )  # fmt: skip
    hidden = OrganisationFactory(
        name="Ανεπιβεβαίωτος Συνεταιρισμός Μελιού", legal_form="agricultural_cooperative",
        region="crete", municipality="Αρχάνες", is_verified=False,
        description="Μέλι και ελαιόλαδο.",
        latitude=Decimal("35.300000"), longitude=Decimal("25.100000"),
    )  # fmt: skip
    offer(bees, certifications=["organic"])
    offer(oil, certifications=["pdo"])
    offer(oil, certifications=["organic"], is_public=False)  # not visible: does not count
    offer(aloni, kind="service")
    offer(hidden, certifications=["organic"])
    offer(hidden, kind="service")
    return {"bees": bees, "aloni": aloni, "oil": oil, "energy": energy, "hidden": hidden}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Αγροτικός Συνεταιρισμός Αρχανών", "Ενεργειακή Κοινότητα Σίφνου",
              "ΚοινΣΕπ Το Αλώνι", "Μελισσοκόμοι Χαλκιδικής"]),
        ("region=crete", ["Αγροτικός Συνεταιρισμός Αρχανών"]),
        ("legal_form=agricultural_cooperative",
         ["Αγροτικός Συνεταιρισμός Αρχανών", "Μελισσοκόμοι Χαλκιδικής"]),
        ("certification=organic", ["Μελισσοκόμοι Χαλκιδικής"]),
        ("certification=pdo", ["Αγροτικός Συνεταιρισμός Αρχανών"]),
        ("certification=fair-trade", []),
        ("kind=good", ["Αγροτικός Συνεταιρισμός Αρχανών", "Μελισσοκόμοι Χαλκιδικής"]),
        ("kind=service", ["ΚοινΣΕπ Το Αλώνι"]),
        ("kind=service&region=crete", []),
        ("legal_form=agricultural_cooperative&certification=organic",
         ["Μελισσοκόμοι Χαλκιδικής"]),
        # Unknown values are ignored, the valid filters still apply.
        ("region=atlantis&kind=service", ["ΚοινΣΕπ Το Αλώνι"]),
        ("certification=no-such-label&kind=bogus", ["Αγροτικός Συνεταιρισμός Αρχανών",
         "Ενεργειακή Κοινότητα Σίφνου", "ΚοινΣΕπ Το Αλώνι", "Μελισσοκόμοι Χαλκιδικής"]),
    ],
)  # fmt: skip
def test_directory_filters(client, network, query, expected):
    assert names_at(client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Case, accents and final sigma do not matter; every word must match somewhere.
        ("q=μελισσοκομοι", ["Μελισσοκόμοι Χαλκιδικής"]),
        ("q=ΧΑΛΚΙΔΙΚΗΣ", ["Μελισσοκόμοι Χαλκιδικής"]),
        ("q=χαλκιδικησ", ["Μελισσοκόμοι Χαλκιδικής"]),
        ("q=Πολυγυρος", ["Μελισσοκόμοι Χαλκιδικής"]),
        ("q=ελαιολαδο+βιολογικης", ["Αγροτικός Συνεταιρισμός Αρχανών"]),
        ("q=ελαιόλαδο", ["Αγροτικός Συνεταιρισμός Αρχανών"]),
        ("q=ΚΟΙΝΣΕΠ", ["ΚοινΣΕπ Το Αλώνι"]),
        ("q=συνεταιρισμος", ["Αγροτικός Συνεταιρισμός Αρχανών"]),
        ("q=μελι", ["Μελισσοκόμοι Χαλκιδικής"]),
        ("q=μελι+σιφνου", []),
        ("q=κοινοτητα&region=south-aegean", ["Ενεργειακή Κοινότητα Σίφνου"]),
        ("q=κοινοτητα&region=crete", []),
        ("q=100%25", []),
        ("q=+++", ["Αγροτικός Συνεταιρισμός Αρχανών", "Ενεργειακή Κοινότητα Σίφνου",
                   "ΚοινΣΕπ Το Αλώνι", "Μελισσοκόμοι Χαλκιδικής"]),
    ],
)  # fmt: skip
def test_directory_text_search_ignores_case_and_accents(client, network, query, expected):
    assert names_at(client, query) == expected


def test_latin_text_search_ignores_case(client):
    OrganisationFactory(name="Coop Lab Athens", is_verified=True)
    OrganisationFactory(name="Κάτι άλλο", is_verified=True)
    assert names_at(client, "q=COOP+lab") == ["Coop Lab Athens"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Αγροτικός Συνεταιρισμός Αρχανών", "Ενεργειακή Κοινότητα Σίφνου",
                  "ΚοινΣΕπ Το Αλώνι", "Μελισσοκόμοι Χαλκιδικής"]),
        ("newest", ["Ενεργειακή Κοινότητα Σίφνου", "ΚοινΣΕπ Το Αλώνι",
                    "Αγροτικός Συνεταιρισμός Αρχανών", "Μελισσοκόμοι Χαλκιδικής"]),
        # Nearest needs a location: without one the default order stays.
        ("nearest", ["Αγροτικός Συνεταιρισμός Αρχανών", "Ενεργειακή Κοινότητα Σίφνου",
                     "ΚοινΣΕπ Το Αλώνι", "Μελισσοκόμοι Χαλκιδικής"]),
    ],
)  # fmt: skip
def test_directory_sorts(client, network, sort, expected):
    assert names_at(client, f"sort={sort}") == expected


@pytest.mark.parametrize(
    ("near", "expected"),
    [
        # From Larisa: Larisa itself, then Chalkidiki, then Crete; no location last.
        ("39.64,22.42", ["ΚοινΣΕπ Το Αλώνι", "Μελισσοκόμοι Χαλκιδικής",
                         "Αγροτικός Συνεταιρισμός Αρχανών", "Ενεργειακή Κοινότητα Σίφνου"]),
        # From Heraklion the other way round.
        ("35.34,25.13", ["Αγροτικός Συνεταιρισμός Αρχανών", "ΚοινΣΕπ Το Αλώνι",
                         "Μελισσοκόμοι Χαλκιδικής", "Ενεργειακή Κοινότητα Σίφνου"]),
    ],
)  # fmt: skip
def test_directory_sorts_by_distance_from_a_location(client, network, near, expected):
    assert names_at(client, f"sort=nearest&near={near}") == expected


def test_nearest_shrinks_longitude_by_the_latitude(client):
    """At 40° north a degree of longitude is 0.77 of a degree of latitude: 1.2° east is
    nearer (about 102 km) than 1° north (about 111 km)."""
    OrganisationFactory(name="Βόρεια", is_verified=True, latitude=41, longitude=20)
    OrganisationFactory(name="Ανατολικά", is_verified=True, latitude=40, longitude="21.2")

    response = client.get(f"{EN_URL}?sort=nearest&near=40,20")

    html = response.content.decode()
    assert names(html) == ["Ανατολικά", "Βόρεια"]
    assert re.findall(r"About (\d+) km away", html) == ["102", "111"]


@pytest.mark.parametrize("near", ["", "abc", "95,20", "40,200", "40", "40,20,1", "nan,nan"])
def test_invalid_location_is_ignored(client, network, near):
    assert names_at(client, f"sort=nearest&near={near}") == [
        "Αγροτικός Συνεταιρισμός Αρχανών",
        "Ενεργειακή Κοινότητα Σίφνου",
        "ΚοινΣΕπ Το Αλώνι",
        "Μελισσοκόμοι Χαλκιδικής",
    ]


def test_nearest_is_offered_only_with_a_location(client, network):
    without = client.get(URL).content.decode()
    with_location = client.get(f"{URL}?near=39.64,22.42").content.decode()

    assert 'value="nearest"' not in without
    assert '<option value="nearest">' in with_location
    assert 'name="near" value="39.64,22.42"' in with_location


def test_filters_in_use_can_be_removed_by_links_that_crawlers_do_not_follow(client, network):
    html = client.get(f"{EN_URL}?region=crete&kind=good&sort=newest").content.decode()

    links = re.findall(r'<li><a rel="nofollow" href="([^"]+)">([^<]+)', html)
    assert links == [
        ("?kind=good&amp;sort=newest", "Region: Crete "),
        ("?region=crete&amp;sort=newest", "What they offer: Products "),
        ("/en/market/organisations/", "Clear all filters"),
    ]


def test_map_data_holds_the_filtered_organisations_with_a_location(client, network):
    everything = map_data(client.get(EN_URL).content.decode())
    crete = map_data(client.get(f"{EN_URL}?region=crete").content.decode())
    services = map_data(
        client.get(f"{EN_URL}?kind=service&sort=nearest&near=35,25").content.decode()
    )

    bees, aloni, oil = network["bees"], network["aloni"], network["oil"]
    assert everything == [
        {"name": oil.name, "url": f"/en/market/organisations/{oil.code}/",
         "lat": 35.237, "lng": 25.159, "region": "Crete"},
        {"name": aloni.name, "url": f"/en/market/organisations/{aloni.code}/",
         "lat": 39.639, "lng": 22.419, "region": "Thessaly"},
        {"name": bees.name, "url": f"/en/market/organisations/{bees.code}/",
         "lat": 40.371, "lng": 23.443, "region": "Central Macedonia"},
    ]  # fmt: skip
    assert [row["name"] for row in crete] == [oil.name]
    assert [row["name"] for row in services] == [aloni.name]


def test_unverified_organisations_are_never_listed_nor_mapped(client, network):
    hidden = network["hidden"]
    for query in ["", "region=crete", "q=μελι", "q=ανεπιβεβαιωτος", "certification=organic",
                  "kind=service", "sort=nearest&near=35.3,25.1"]:  # fmt: skip
        html = client.get(f"{URL}?{query}").content.decode()
        assert hidden.name not in html, query
        assert hidden.code not in html, query
        assert hidden.name not in [row["name"] for row in map_data(html)], query


def test_map_shows_at_most_the_limit(client, network, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_LIMIT", 2)

    html = client.get(EN_URL).content.decode()

    assert [row["name"] for row in map_data(html)] == [
        "Αγροτικός Συνεταιρισμός Αρχανών",
        "ΚοινΣΕπ Το Αλώνι",
    ]
    assert "The map shows the first 2; narrow the filters to see the rest." in html


def test_map_uses_the_configured_tiles_and_our_own_scripts(client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = '© <a href="https://example.org">Example</a>'

    html = client.get(URL).content.decode()

    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert (
        'data-attribution="© &lt;a href=&quot;https://example.org&quot;&gt;Example&lt;/a&gt;"'
        in html
    )
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources[-3:] == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/js/organisations-map.js",
    ]
    assert all(source.startswith("/static/") for source in sources)
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in html
    # The map is shown by the script; without JavaScript the list alone is there.
    assert '<div class="organisations-map" data-organisations-map hidden>' in html
    assert '<a class="organisations-map__skip" href="#organisation-list">' in html


def test_page_content_has_no_inline_script_but_the_map_data(client, network):
    html = client.get(URL).content.decode()
    content = html[html.index('<div id="content_inner">') : html.index("</main>")]

    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", content)
    assert inline == [' id="organisations-map-data" type="application/json"']


def test_default_map_settings():
    from django.conf import settings

    assert settings.MAP_TILE_URL == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert settings.MAP_TILE_ATTRIBUTION == (
        '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )


def queries_for(client, path):
    client.get(path)  # warm-up
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=συνεταιρισμος&region=crete&legal_form=agricultural_cooperative"
        "&certification=organic&kind=good",
        "sort=nearest&near=37.98,23.73",
        "sort=newest&certification=organic",
    ],
)
def test_directory_queries_do_not_grow_with_organisations(client, query):
    def add_organisations(numbers):
        for number in numbers:
            organisation = OrganisationFactory(
                name=f"Συνεταιρισμός {number}", is_verified=True, region="crete",
                latitude=Decimal("35.2") + number % 5, longitude=Decimal("25.1"),
            )  # fmt: skip
            offer(organisation, certifications=["organic"])

    add_organisations(range(1))
    with_one = queries_for(client, f"{URL}?{query}")
    add_organisations(range(1, 41))
    with_many = queries_for(client, f"{URL}?{query}")

    assert with_many == with_one
