"""The catalogue's number of matches is counted once until the market changes, like its
facet counts (shop.page_cache.cached_on_content; on where the page cache is)."""

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


def offer(title, region="crete"):
    organisation = OrganisationFactory(is_verified=True, region=region)
    return create_offered_product(organisation=organisation, title=title, price=Decimal("5"))


def counting_queries(params):
    with CaptureQueriesContext(connection) as queries:
        listing = build_listing(params)
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    return listing, counts


def test_the_match_count_is_kept_until_the_market_changes(django_capture_on_commit_callbacks):
    offer("Μέλι θυμαρίσιο")
    offer("Ελαιόλαδο", region="peloponnese")

    first, first_counts = counting_queries({"region": "crete"})
    second, second_counts = counting_queries({"region": "crete"})
    assert first.count == second.count == 1
    assert len(first_counts) == 1
    assert second_counts == []

    with django_capture_on_commit_callbacks(execute=True):
        offer("Μέλι ερείκης")
    third, third_counts = counting_queries({"region": "crete"})
    assert third.count == 2
    assert len(third_counts) == 1


def test_each_filter_and_category_has_its_own_count():
    offer("Μέλι θυμαρίσιο")
    offer("Ελαιόλαδο", region="peloponnese")

    assert build_listing({}).count == 2
    assert build_listing({"region": "crete"}).count == 1
    assert build_listing({"region": "peloponnese"}).count == 1
    assert build_listing({"region": "attica"}).count == 0
