"""The catalogue's facet counts and search matches are kept until the market changes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue_ext.listing import build_listing
from tests.factories import OrganisationFactory, create_offered_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    settings.PAGE_CACHE_ENABLED = True


def region_counts(listing):
    facet = next(facet for facet in listing.facets if facet.key == "region")
    return {value.value: value.count for value in facet.values}


def offer(title, region):
    organisation = OrganisationFactory(is_verified=True, region=region)
    return create_offered_product(organisation=organisation, title=title, price=Decimal("5"))


def queries_for(params):
    with CaptureQueriesContext(connection) as queries:
        listing = build_listing(params)
    return listing, len(queries)


def test_facets_are_counted_once_until_the_market_changes(django_capture_on_commit_callbacks):
    offer("Μέλι θυμαρίσιο", "crete")
    offer("Ελαιόλαδο", "peloponnese")

    first, first_queries = queries_for({})
    second, second_queries = queries_for({})
    assert region_counts(first) == region_counts(second) == {"crete": 1, "peloponnese": 1}
    # One aggregate query per facet is saved on the second page.
    assert second_queries <= first_queries - len(first.facets)

    with django_capture_on_commit_callbacks(execute=True):
        offer("Μέλι ερείκης", "crete")
    third, third_queries = queries_for({})
    assert region_counts(third) == {"crete": 2, "peloponnese": 1}
    assert third_queries == first_queries


def test_each_filter_combination_has_its_own_counts():
    offer("Μέλι θυμαρίσιο", "crete")
    offer("Ελαιόλαδο", "peloponnese")
    build_listing({})
    narrowed = build_listing({"region": "crete"})
    assert narrowed.count == 1
    assert [product.title for product in narrowed.products] == ["Μέλι θυμαρίσιο"]
    kind = next(facet for facet in narrowed.facets if facet.key == "kind")
    assert sum(value.count for value in kind.values) == 1


def test_search_matches_follow_a_renamed_product(django_capture_on_commit_callbacks):
    honey = offer("Μέλι θυμαρίσιο", "crete")
    assert [p.title for p in build_listing({"q": "μελι"}).products] == ["Μέλι θυμαρίσιο"]

    with django_capture_on_commit_callbacks(execute=True):
        honey.title = "Κηρήθρα"
        honey.save()
    assert build_listing({"q": "μελι"}).count == 0
    assert [p.title for p in build_listing({"q": "κηρηθρα"}).products] == ["Κηρήθρα"]
