"""Pages that list items run the same number of queries for one item or for many."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganisationFactory, create_offered_product

pytestmark = pytest.mark.django_db


def queries_for(client, path):
    client.get(path)  # warm-up: thumbnails are made and cached once
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def offer_products(count):
    for number in range(count):
        organisation = OrganisationFactory()
        create_offered_product(
            organisation=organisation, title=f"Προϊόν {number}", price=Decimal("5.00")
        )


@pytest.mark.parametrize("path", ["/", "/market/", "/en/market/"])
def test_list_pages_do_not_query_per_item(client, path):
    offer_products(1)
    with_one = queries_for(client, path)

    offer_products(14)
    with_many = queries_for(client, path)

    assert with_many == with_one
    # The home page also shows the think tank's latest entries and events: 5 queries.
    assert with_one <= (17 if path == "/" else 12)
