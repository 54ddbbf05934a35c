"""The listing engine of the market search and the catalogue: filters, sorting,
visibility, pagination and a bounded number of queries."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from haystack import connections
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue_ext.listing import build_listing
from catalogue_ext.search import matching_product_ids
from tests.factories import OrganisationFactory, ProductClassFactory, create_offered_product

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Certification = get_model("catalogue", "Certification")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    soap_class = ProductClassFactory(name="Καλλυντικά", vat_rate="standard")
    services = ProductClassFactory(name="Υπηρεσίες", vat_rate="standard", kind="service",
                                   track_stock=False, requires_shipping=False)  # fmt: skip
    crete = OrganisationFactory(name="Μελισσοκόμοι Κρήτης", code="melissokomoi-kritis",
                                region="crete", legal_form="agricultural_cooperative",
                                latitude=Decimal("35.34"), longitude=Decimal("25.13"),
                                is_verified=True)  # fmt: skip
    attica = OrganisationFactory(name="Ελιά Αττικής", code="elia-attikis", region="attica",
                                 legal_form="koinsep", latitude=Decimal("37.98"),
                                 longitude=Decimal("23.72"), is_verified=True)  # fmt: skip
    epirus = OrganisationFactory(name="Ξεναγοί Ηπείρου", code="xenagoi", region="epirus",
                                 legal_form="koinsep", is_verified=True)  # fmt: skip
    unverified = OrganisationFactory(name="Νέος φορέας", region="crete", is_verified=False)

    meli = create_from_breadcrumbs("Τρόφιμα > Μέλι")
    trofima = Category.objects.get(depth=1, slug="trofima")
    tours = create_from_breadcrumbs("Ξεναγήσεις")
    assert (trofima.slug, meli.slug, tours.slug) == ("trofima", "meli", "xenagiseis")

    honey = create_offered_product(title="Μέλι Θυμαρίσιο", organisation=crete, product_class=food,
                                   price=Decimal("8.00"), stock=10)  # fmt: skip
    oil = create_offered_product(title="Ελαιόλαδο", organisation=attica, product_class=food,
                                 price=Decimal("20.00"), stock=0)  # fmt: skip
    tour = create_offered_product(title="Ξενάγηση στο Ζαγόρι", organisation=epirus,
                                  product_class=services, price=Decimal("15.00"),
                                  stock=None)  # fmt: skip
    soap = create_offered_product(title="Σαπούνι μελιού", organisation=crete,
                                  product_class=soap_class, price=Decimal("3.00"),
                                  stock=5)  # fmt: skip
    StockRecord.objects.filter(product=soap).update(num_allocated=5)
    hidden = create_offered_product(title="Μέλι κρυφό", organisation=crete, product_class=food,
                                    is_public=False)  # fmt: skip
    unverified_honey = create_offered_product(title="Μέλι νέου φορέα", organisation=unverified,
                                              product_class=food)  # fmt: skip

    honey.categories.add(meli)
    oil.categories.add(trofima)
    tour.categories.add(tours)
    hidden.categories.add(meli)
    unverified_honey.categories.add(meli)
    honey.certifications.add(Certification.objects.get(code="organic"))
    oil.certifications.add(Certification.objects.get(code="pdo"))
    unverified_honey.certifications.add(Certification.objects.get(code="organic"))
    start = timezone.now() - timedelta(days=10)
    for days, product in enumerate([honey, oil, tour, soap, hidden, unverified_honey]):
        Product.objects.filter(pk=product.pk).update(date_created=start + timedelta(days=days))
    return {
        "honey": honey, "oil": oil, "tour": tour, "soap": soap, "hidden": hidden,
        "unverified_honey": unverified_honey, "crete": crete, "attica": attica,
    }  # fmt: skip


def titles(params):
    return [product.title for product in all_results(params)]


def all_results(params):
    listing = build_listing(params)
    assert listing.count <= 24
    return listing.products


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"honey", "oil", "tour", "soap"}),
        ({"region": "crete"}, {"honey", "soap"}),
        ({"region": "crete", "certification": "organic"}, {"honey"}),
        ({"region": "attica", "certification": "organic"}, set()),
        ({"category": "trofima"}, {"honey", "oil"}),
        ({"category": "trofima/meli"}, {"honey"}),
        ({"category": "trofima", "legal_form": "koinsep"}, {"oil"}),
        ({"kind": "service"}, {"tour"}),
        ({"kind": "good", "in_stock": "1"}, {"honey"}),
        ({"in_stock": "1"}, {"honey", "tour"}),
        ({"price": "0-5"}, {"soap"}),
        ({"price": "5-10"}, {"honey"}),
        ({"price": "10-20"}, {"tour"}),
        ({"price": "20-50"}, {"oil"}),
        ({"organisation": "melissokomoi-kritis"}, {"honey", "soap"}),
        ({"organisation": "melissokomoi-kritis", "price": "0-5"}, {"soap"}),
        ({"q": "μελι"}, {"honey"}),
        ({"q": "μελι", "organisation": "elia-attikis"}, set()),
        ({"category": "does-not-exist"}, set()),
    ],
)
def test_filters_combine_to_exactly_the_matching_products(market, params, expected):
    found = {product.pk for product in all_results(params)}
    assert found == {market[name].pk for name in expected}


def test_prices_are_banded_with_vat_included(market):
    # 8.00 + 13% = 9.04; 3.00 + 24% = 3.72; 15.00 + 24% = 18.60; 20.00 + 13% = 22.60.
    assert titles({"price": "5-10"}) == ["Μέλι Θυμαρίσιο"]
    assert titles({"price": "10-20"}) == ["Ξενάγηση στο Ζαγόρι"]
    boundary = create_offered_product(
        title="Ακριβώς 5",
        price=Decimal("4.02"),
        organisation=market["crete"],
        product_class=market["soap"].product_class,
    )  # 4.02 + 0.96 (24%, rounded to the cent) = 4.98
    assert titles({"price": "0-5", "sort": "name"}) == ["Ακριβώς 5", "Σαπούνι μελιού"]
    StockRecord.objects.filter(product=boundary).update(price=Decimal("4.03"))  # 4.03 + 0.97 = 5.00
    assert titles({"price": "5-10", "sort": "name"}) == ["Ακριβώς 5", "Μέλι Θυμαρίσιο"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Σαπούνι μελιού", "Ξενάγηση στο Ζαγόρι", "Ελαιόλαδο", "Μέλι Θυμαρίσιο"]),
        ("price-asc", ["Σαπούνι μελιού", "Μέλι Θυμαρίσιο", "Ξενάγηση στο Ζαγόρι", "Ελαιόλαδο"]),
        ("price-desc", ["Ελαιόλαδο", "Ξενάγηση στο Ζαγόρι", "Μέλι Θυμαρίσιο", "Σαπούνι μελιού"]),
        ("name", ["Ελαιόλαδο", "Μέλι Θυμαρίσιο", "Ξενάγηση στο Ζαγόρι", "Σαπούνι μελιού"]),
    ],
)
def test_sorting_orders_exactly(market, sort, expected):
    assert titles({"sort": sort}) == expected


def test_newest_is_the_default_without_a_query(market):
    assert build_listing({}).sort == "newest"
    assert titles({}) == titles({"sort": "newest"})


def test_nearest_sorts_by_distance_with_organisations_without_coordinates_last(market):
    athens = "37.97,23.73"
    assert titles({"near": athens, "sort": "nearest"}) == [
        "Ελαιόλαδο", "Μέλι Θυμαρίσιο", "Σαπούνι μελιού", "Ξενάγηση στο Ζαγόρι",
    ]  # fmt: skip
    heraklion = "35.33,25.14"
    assert titles({"near": heraklion, "sort": "nearest"}) == [
        "Μέλι Θυμαρίσιο", "Σαπούνι μελιού", "Ελαιόλαδο", "Ξενάγηση στο Ζαγόρι",
    ]  # fmt: skip


def test_nearest_is_offered_only_with_a_valid_position(market):
    assert "nearest" not in [key for key, *_rest in build_listing({}).sort_options]
    assert build_listing({"sort": "nearest"}).sort == "newest"
    assert build_listing({"sort": "nearest", "near": "100,20"}).sort == "newest"
    assert build_listing({"sort": "nearest", "near": "abc"}).sort == "newest"
    assert build_listing({"sort": "nearest", "near": "38,23"}).sort == "nearest"


def test_relevance_keeps_the_index_order(market):
    ranked = matching_product_ids("μελι")
    assert market["honey"].pk in ranked
    listing = build_listing({"q": "μελι"})
    assert listing.sort == "relevance"
    visible = {market["honey"].pk, market["soap"].pk}
    assert [product.pk for product in listing.products] == [pk for pk in ranked if pk in visible]


def test_hidden_products_are_never_listed_even_when_the_index_has_them(market):
    # Put the hidden and unverified products into the index behind the engine's back,
    # as a stale index would have them.
    unified = connections["default"].get_unified_index()
    backend = connections["default"].get_backend()
    backend.update(unified.get_index(Product), [market["hidden"], market["unverified_honey"]])
    ranked = matching_product_ids("μελι")
    assert market["hidden"].pk in ranked
    assert market["unverified_honey"].pk in ranked

    hidden_ids = {market["hidden"].pk, market["unverified_honey"].pk}
    for params in [
        {"q": "μελι"},
        {"q": "μελι", "certification": "organic"},
        {"category": "trofima/meli"},
        {"region": "crete", "certification": "organic"},
        {},
    ]:
        listing = build_listing(params)
        assert hidden_ids.isdisjoint(product.pk for product in listing.products), params
    # …nor counted in any facet.
    organic = [
        value
        for facet in build_listing({"q": "μελι"}).facets
        if facet.key == "certification"
        for value in facet.values
    ]
    assert [(value.value, value.count) for value in organic] == [("organic", 1)]


def test_search_page_shows_results_facets_and_shareable_links(client, market):
    response = client.get("/market/search/", {"q": "μελι", "region": "crete"})

    assert response.status_code == 200
    html = response.content.decode()
    assert [product.title for product in response.context["products"]] == ["Μέλι Θυμαρίσιο"]
    assert 'href="?q=%CE%BC%CE%B5%CE%BB%CE%B9&amp;region=crete&amp;certification=organic"' in html
    assert 'rel="nofollow"' in html
    assert "Κρήτη" in html  # the region's label, translated
    # The chosen region is shown with a link that removes it.
    assert 'href="?q=%CE%BC%CE%B5%CE%BB%CE%B9" rel="nofollow" data-filter="region"' in html


def test_catalogue_and_category_pages_use_the_engine(client, market):
    html = client.get("/market/catalogue/").content.decode()
    for title in ("Μέλι Θυμαρίσιο", "Ελαιόλαδο", "Ξενάγηση στο Ζαγόρι", "Σαπούνι μελιού"):
        assert title in html
    assert "Μέλι κρυφό" not in html
    assert "Μέλι νέου φορέα" not in html

    trofima = Category.objects.get(slug="trofima")
    response = client.get(trofima.get_absolute_url())
    assert response.status_code == 200
    assert [product.title for product in response.context["products"]] == [
        "Ελαιόλαδο", "Μέλι Θυμαρίσιο",
    ]  # fmt: skip
    assert response.context["summary"] == "Τρόφιμα"
    # The category facet offers its child, with its count.
    category_facet = next(f for f in response.context["listing"].facets if f.key == "category")
    assert [(v.label, v.count) for v in category_facet.values] == [("Μέλι", 1)]

    wrong = client.get(f"/market/catalogue/category/wrong_{trofima.pk}/?sort=name")
    assert wrong.status_code == 301
    assert wrong["Location"] == trofima.get_absolute_url() + "?sort=name"
    assert client.get("/market/catalogue/category/none_99999/").status_code == 404


def test_pages_hold_24_products_and_keep_the_filters(client):
    organisation = OrganisationFactory(is_verified=True)
    for number in range(30):
        create_offered_product(title=f"Μέλι {number:02d}", organisation=organisation)

    first = client.get("/market/search/", {"q": "μελι", "sort": "name"})
    second = client.get("/market/search/", {"q": "μελι", "sort": "name", "page": 2})

    assert [p.title for p in first.context["products"]] == [f"Μέλι {n:02d}" for n in range(24)]
    assert [p.title for p in second.context["products"]] == [f"Μέλι {n:02d}" for n in range(24, 30)]
    assert first.context["paginator"].count == 30
    assert "page=2" in first.content.decode()


# The query-count and timing guard ---------------------------------------------------


def generate_products(count, *, title, organisations, product_class):
    now = timezone.now()
    first = Product.objects.count()
    products = Product.objects.bulk_create(
        Product(
            title=f"{title} {number}",
            slug=f"generated-{first + number}",
            upc=f"GEN-{first + number:06d}",
            structure=Product.STANDALONE,
            product_class=product_class,
            is_public=True,
            date_created=now - timedelta(minutes=number),
        )
        for number in range(count)
    )
    if connection.vendor == "sqlite" or products[0].pk is None:
        products = list(Product.objects.filter(upc__startswith="GEN-").order_by("pk")[first:])
    StockRecord.objects.bulk_create(
        StockRecord(
            product=product,
            partner=organisations[number % len(organisations)],
            partner_sku=f"GEN-{product.pk}",
            price=Decimal(5 + number % 40),
            price_currency="EUR",
            num_in_stock=number % 7,
        )
        for number, product in enumerate(products)
    )
    return products


def measured(client, path, params):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, params)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return response, len(queries), elapsed


def test_5000_products_take_a_bounded_number_of_queries(client):
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    organisations = [
        OrganisationFactory(
            is_verified=True,
            region=region,
            latitude=Decimal("38.0"),
            longitude=Decimal(str(20 + n)),
        )  # fmt: skip
        for n, region in enumerate(["crete", "attica", "epirus", "thessaly"])
    ]
    lonely = OrganisationFactory(is_verified=True, code="monos", region="crete")
    create_from_breadcrumbs("Τρόφιμα")
    generate_products(5000, title="Μέλι Θυμαρίσιο", organisations=organisations,
                      product_class=food)  # fmt: skip
    generate_products(1, title="Ρίγανη", organisations=[lonely], product_class=food)
    unified = connections["default"].get_unified_index()
    index = unified.get_index(Product)
    connections["default"].get_backend().update(index, index.index_queryset())
    assert len(matching_product_ids("ριγανη")) == 1
    assert len(matching_product_ids("μελι θυμαρισιο")) == 5000

    # Warm the caches (thumbnails, site, session, the pages' product cards); cold cards
    # are counted in tests/catalogue_ext/test_cards.py.
    for path, params in [
        ("/market/catalogue/", {}),
        ("/market/catalogue/", {"organisation": "monos"}),
        ("/market/search/", {"q": "ριγανη"}),
        ("/market/search/", {"q": "μελι θυμαρισιο"}),
        ("/market/catalogue/", {"near": "38,21", "sort": "nearest", "page": 3}),
    ]:
        client.get(path, params)
    few, few_queries, _ = measured(client, "/market/search/", {"q": "ριγανη"})
    many, many_queries, many_time = measured(client, "/market/search/", {"q": "μελι θυμαρισιο"})
    assert few.context["paginator"].count == 1
    assert many.context["paginator"].count == 5000
    assert len(many.context["products"]) == 24
    assert few_queries == many_queries
    assert many_queries <= 20
    assert many_time < 5

    one, one_queries, _ = measured(client, "/market/catalogue/", {"organisation": "monos"})
    everything, all_queries, all_time = measured(client, "/market/catalogue/", {})
    assert one.context["paginator"].count == 1
    assert everything.context["paginator"].count == 5001
    assert one_queries == all_queries
    assert all_queries <= 20
    assert all_time < 5

    nearest, near_queries, near_time = measured(
        client, "/market/catalogue/", {"near": "38,21", "sort": "nearest", "page": 3}
    )
    assert near_queries == all_queries
    assert near_time < 5
    assert {p.stockrecords.all()[0].partner.longitude for p in nearest.context["products"]} == {
        Decimal("21.000000")
    }


def test_results_link_to_the_map_of_organisations_with_the_shared_filters(client):
    from tests.factories import OrganisationFactory, create_offered_product

    crete = OrganisationFactory(name="Συνεταιρισμός Αρχανών", is_verified=True, region="crete")
    create_offered_product(title="Θυμαρίσιο μέλι", organisation=crete)

    response = client.get("/market/search/", {"q": "μελι", "region": "crete", "sort": "name"})

    assert response.context["listing"].map_url == (
        "/market/organisations/?region=crete#organisations-map"
    )
    assert 'href="/market/organisations/?region=crete#organisations-map" rel="nofollow"' in (
        response.content.decode()
    )
    assert client.get("/market/search/", {"q": "μελι"}).context["listing"].map_url == (
        "/market/organisations/#organisations-map"
    )
