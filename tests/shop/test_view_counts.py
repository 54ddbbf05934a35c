"""Product views are counted without writing to the database inside the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop import view_counts
from tests.factories.market import product_of, selling_organisation

pytestmark = pytest.mark.django_db

ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")
UserProductView = get_model("analytics", "UserProductView")

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _empty_buffer():
    view_counts.buffer.take()
    yield
    view_counts.buffer.take()


@pytest.fixture
def honey():
    bees = selling_organisation("Μελισσοκομικός Συνεταιρισμός Κρήτης", is_verified=True)
    return product_of(bees, "Θυμαρίσιο μέλι 450 g", "8.00", stock=10)


def writes_during(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_product_page_writes_nothing_and_sets_no_cookie(client, honey):
    first = client.get(honey.get_absolute_url())  # thumbnails are made once, here
    assert "oscar_history" not in first.cookies
    assert writes_during(client, honey.get_absolute_url()) == []


def test_a_signed_in_view_writes_nothing_either(client, honey, django_user_model):
    user = django_user_model.objects.create_user(
        username="eleni", email="eleni@example.org", password="pw-123456"
    )
    client.force_login(user)
    client.get(honey.get_absolute_url())  # the first visit may create the basket
    assert writes_during(client, honey.get_absolute_url()) == []


def test_buffered_views_are_written_in_one_go(client, honey, django_user_model):
    user = django_user_model.objects.create_user(
        username="eleni", email="eleni@example.org", password="pw-123456"
    )
    for _ in range(3):
        client.get(honey.get_absolute_url())
    client.force_login(user)
    client.get(honey.get_absolute_url())

    view_counts.flush()

    assert ProductRecord.objects.get(product=honey).num_views == 4
    assert UserRecord.objects.get(user=user).num_product_views == 1
    assert list(UserProductView.objects.values_list("user", "product")) == [(user.pk, honey.pk)]

    client.get(honey.get_absolute_url())
    view_counts.flush()
    assert ProductRecord.objects.get(product=honey).num_views == 5
    assert UserRecord.objects.get(user=user).num_product_views == 2


def test_views_of_a_product_deleted_meanwhile_are_dropped(client, honey):
    client.get(honey.get_absolute_url())
    honey.delete()
    view_counts.flush()
    assert not ProductRecord.objects.exists()


def test_flushing_an_empty_buffer_runs_no_query():
    with CaptureQueriesContext(connection) as queries:
        view_counts.flush()
    assert len(queries) == 0
