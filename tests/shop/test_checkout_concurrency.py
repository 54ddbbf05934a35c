"""Consumers racing for the last items, on PostgreSQL: each thread has its own database
connection and commits for real (``transaction=True``).

On SQLite the database serialises writers, so the race cannot be reproduced there: the
test is skipped with that reason. CI runs it on PostgreSQL."""

import pytest
from django.db import connection
from oscar.core.loading import get_model

from shop.order import services
from shop.partner.strategy import Selector
from tests.concurrency import run_together
from tests.factories.market import basket_with, product_of, selling_organisation

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db(transaction=True)

CONSUMERS = 8
LAST_ITEMS = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers, so racing checkouts cannot be reproduced there. "
            "Run with DATABASE_URL=postgres://…"
        )


def test_consumers_racing_for_the_last_items_get_exactly_that_many_orders():
    organisation = selling_organisation("Συνεταιρισμός Τελευταίου Βάζου")
    honey = product_of(organisation, "Μέλι ανθέων", "8.00", stock=LAST_ITEMS)
    baskets = [basket_with((honey, 1)) for _consumer in range(CONSUMERS)]

    def buy(basket):
        consumer = services.Consumer(email=f"buyer{basket.pk}@example.org", name="Αγοραστής")
        choice = services.PartChoice(delivery_method="pickup", payment_method="cash")
        return services.place_purchase(basket, consumer, {organisation.pk: choice})

    purchases, errors = run_together(buy, baskets)

    assert len(purchases) == LAST_ITEMS
    assert len(errors) == CONSUMERS - LAST_ITEMS
    assert all(isinstance(error, services.CheckoutError) for error in errors)
    assert all("Μέλι ανθέων" in str(error) for error in errors)
    assert Order.objects.count() == LAST_ITEMS
    stockrecord = StockRecord.objects.get(product=honey)
    assert stockrecord.num_allocated == LAST_ITEMS
    assert stockrecord.net_stock_level == 0
    # Each order kept its own receipt number: 1, 2, 3 with no repeats or gaps.
    assert sorted(Order.objects.values_list("receipt_number", flat=True)) == [1, 2, 3]


def test_shipping_the_orders_takes_the_stock_out_and_never_below_zero():
    organisation = selling_organisation("Συνεταιρισμός Αποστολών")
    member = organisation.users.create(username="packer", email="packer@example.org")
    honey = product_of(organisation, "Μέλι πεύκου", "7.00", stock=2)
    purchases = []
    for number in range(2):
        basket = basket_with((honey, 1))
        purchases.append(
            services.place_purchase(
                basket,
                services.Consumer(email=f"c{number}@example.org", name="Πελάτης"),
                {organisation.pk: services.PartChoice("pickup", "cash")},
            )
        )
    orders = [purchase.orders.get() for purchase in purchases]

    run_together(
        lambda order: services.change_status(order, "ready_for_pickup", user=member), orders
    )

    stockrecord = StockRecord.objects.get(product=honey)
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (0, 0)
    services.change_status(orders[0], "completed", user=member)
    stockrecord.refresh_from_db()
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (0, 0)


def test_the_same_basket_placed_twice_at_once_makes_one_purchase():
    """A double click on "Place order": two requests place the same basket together."""
    organisation = selling_organisation("Συνεταιρισμός Διπλού Κλικ")
    honey = product_of(organisation, "Μέλι θυμαριού", "8.00", stock=10)
    basket = basket_with((honey, 2))

    def place(_attempt):
        # Each request loads the basket itself, as Oscar's middleware does.
        own_basket = Basket.objects.get(pk=basket.pk)
        own_basket.strategy = Selector().strategy()
        consumer = services.Consumer(email="diplo@example.org", name="Αγοραστής")
        choice = services.PartChoice(delivery_method="pickup", payment_method="cash")
        return services.place_purchase(own_basket, consumer, {organisation.pk: choice})

    purchases, errors = run_together(place, [1, 2])

    assert len(purchases) == 1
    assert [type(error) for error in errors] == [services.BasketAlreadyOrdered]
    assert errors[0].purchase == purchases[0]
    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=honey).num_allocated == 2
    assert Basket.objects.get(pk=basket.pk).status == Basket.SUBMITTED
