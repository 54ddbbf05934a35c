"""Facet counts equal the number of results each facet value gives, over generated data."""

import random
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue_ext.listing import build_listing
from tests.factories import OrganisationFactory, ProductClassFactory, create_offered_product

Category = get_model("catalogue", "Category")
Certification = get_model("catalogue", "Certification")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

WORDS = ["Μέλι", "Ελαιόλαδο", "Τσάι", "Ξενάγηση", "Σαπούνι"]


@pytest.fixture
def generated():
    rng = random.Random(7)
    classes = [
        ProductClassFactory(name="Τρόφιμα", vat_rate="reduced"),
        ProductClassFactory(name="Καλλυντικά", vat_rate="standard"),
        ProductClassFactory(
            name="Υπηρεσίες",
            vat_rate="standard",
            kind="service",
            track_stock=False,
            requires_shipping=False,
        ),  # fmt: skip
    ]
    regions = ["crete", "attica", "epirus", "north-aegean"]
    forms = ["agricultural_cooperative", "koinsep", "womens_cooperative"]
    organisations = [
        OrganisationFactory(
            region=rng.choice(regions), legal_form=rng.choice(forms), is_verified=True
        )  # fmt: skip
        for _ in range(6)
    ] + [OrganisationFactory(region="crete", is_verified=False)]
    categories = [
        create_from_breadcrumbs(path)
        for path in ["Τρόφιμα > Μέλι", "Τρόφιμα > Λάδι", "Καλλυντικά", "Υπηρεσίες > Ξεναγήσεις"]
    ]
    categories += list(Category.objects.filter(depth=1, numchild__gt=0))
    certifications = list(Certification.objects.all())
    for number in range(60):
        product = create_offered_product(
            title=f"{rng.choice(WORDS)} {number}",
            organisation=rng.choice(organisations),
            product_class=rng.choice(classes),
            price=Decimal(rng.randrange(100, 8000)) / 100,
            stock=rng.choice([None, 0, 1, 5, 20]),
            is_public=rng.random() > 0.1,
        )
        if rng.random() < 0.3:
            StockRecord.objects.filter(product=product).update(num_allocated=rng.randrange(0, 6))
        product.categories.add(*rng.sample(categories, rng.randrange(0, 3)))
        product.certifications.add(*rng.sample(certifications, rng.randrange(0, 3)))


def check_every_facet_value(params):
    listing = build_listing(params)
    checked = 0
    for facet in listing.facets:
        for value in facet.values:
            follow = dict(parse_qsl(value.url.lstrip("?"))) if value.url != "." else {}
            expected = build_listing(follow).count
            if value.selected:
                # The link removes the value; its count is the current result count.
                assert value.count == listing.count, (facet.key, value.value)
            else:
                assert value.count == expected, (params, facet.key, value.value)
                assert follow[facet.key] == value.value
            checked += 1
    return listing, checked


def test_every_facet_count_is_the_number_of_results_it_gives(generated):
    listing, checked = check_every_facet_value({})
    assert listing.count > 30
    assert checked >= 20
    assert {facet.key for facet in listing.facets} == {
        "category", "kind", "region", "certification", "price", "in_stock", "legal_form",
        "organisation",
    }  # fmt: skip


def test_facet_counts_hold_with_a_query(generated):
    listing, checked = check_every_facet_value({"q": "μελι"})
    assert 0 < listing.count < 30
    assert checked >= 5


@pytest.mark.parametrize(
    "applied",
    [{"region": "crete"}, {"certification": "organic"}, {"category": "trofima"},
     {"q": "ελαιολαδο", "in_stock": "1"}, {"kind": "service", "price": "10-20"}],
)  # fmt: skip
def test_facet_counts_hold_with_filters_applied(generated, applied):
    listing, _checked = check_every_facet_value(applied)
    assert {chosen.key for chosen in listing.selected} == set(applied) - {"q"}


def test_facets_are_counted_in_one_query_each(generated, django_assert_max_num_queries):
    # The categories, eight facets, the ids, the cards' versions, and (no card is cached
    # yet) the page's products and three prefetches.
    with django_assert_max_num_queries(15):
        build_listing({"region": "crete", "q": "μελι"})
