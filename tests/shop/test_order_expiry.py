"""Unpaid bank-transfer and card orders past their payment deadline are cancelled, by
the Celery task or the cron command; their stock goes back and the consumer is told.
Paid orders, cash orders and orders still within their deadline are left alone."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order import tasks
from shop.order.models import OrderStatus
from shop.order.services import Consumer, PartChoice, mark_paid, place_purchase
from shop.partner.strategy import Selector
from tests.factories import OrganisationFactory, create_offered_product

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

IBAN = "GR1601101250000000012300695"
LONG_AGO = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def coop():
    return OrganisationFactory(
        name="Μελισσοκομικός Συνεταιρισμός Κρήτης",
        contact_email="meli@coop.gr",
        accepts_bank_transfer=True,
        iban=IBAN,
        is_verified=True,
    )


def buy(capture, organisation, title, quantity, payment, *, email="maria@example.org"):
    """One purchase of ``quantity`` items of a new product (stock 5, 10.00 + 13% VAT)."""
    item = create_offered_product(
        organisation=organisation, title=title, price=Decimal("10.00"), stock=5
    )
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(item, quantity)
    with capture(execute=True):
        purchase = place_purchase(
            basket,
            Consumer(email=email, name="Μαρία Παπαδοπούλου", phone="6912345678", language="el"),
            {organisation.pk: PartChoice("pickup", payment)},
        )
    return purchase.orders.get()


def stock_of(order):
    stockrecord = StockRecord.objects.get(pk=order.lines.get().stockrecord_id)
    return stockrecord.num_in_stock, stockrecord.num_allocated


def expire(order, when=LONG_AGO):
    Order.objects.filter(pk=order.pk).update(payment_deadline=when)


@pytest.fixture
def orders(django_capture_on_commit_callbacks, coop):
    """An expired bank transfer, a paid one past its deadline, a cash order and a bank
    transfer still within its deadline."""
    capture = django_capture_on_commit_callbacks
    expired = buy(capture, coop, "Μέλι θυμαρίσιο", 2, "bank_transfer")
    paid = buy(capture, coop, "Μέλι ανθέων", 1, "bank_transfer", email="nikos@example.org")
    with capture(execute=True):
        mark_paid(paid)
    cash = buy(capture, coop, "Κερί μέλισσας", 1, "cash", email="eleni@example.org")
    waiting = buy(capture, coop, "Γύρη", 3, "bank_transfer", email="kostas@example.org")
    expire(expired)
    expire(paid)
    expire(waiting, timezone.now() + timedelta(hours=2))
    mail.outbox.clear()
    return {"expired": expired, "paid": paid, "cash": cash, "waiting": waiting}


def test_task_cancels_the_expired_unpaid_order_and_gives_its_stock_back(
    django_capture_on_commit_callbacks, orders
):
    assert stock_of(orders["expired"]) == (5, 2)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = tasks.release_expired_orders.delay().get()

    assert cancelled == 1
    expired = Order.objects.get(pk=orders["expired"].pk)
    assert expired.status == OrderStatus.CANCELLED
    assert expired.paid_at is None
    assert stock_of(expired) == (5, 0)
    assert list(expired.lines.values_list("num_allocated", flat=True)) == [0]


def test_task_leaves_paid_cash_and_waiting_orders_alone(django_capture_on_commit_callbacks, orders):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_expired_orders.delay()

    statuses = dict(
        Order.objects.filter(pk__in=[order.pk for order in orders.values()]).values_list(
            "pk", "status"
        )
    )
    assert statuses[orders["paid"].pk] == OrderStatus.PAID
    assert statuses[orders["cash"].pk] == OrderStatus.NEW
    assert statuses[orders["waiting"].pk] == OrderStatus.NEW
    assert stock_of(orders["paid"]) == (5, 1)
    assert stock_of(orders["cash"]) == (5, 1)
    assert stock_of(orders["waiting"]) == (5, 3)


def test_consumer_is_emailed_once_about_the_cancellation(
    django_capture_on_commit_callbacks, orders
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_expired_orders.delay()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_expired_orders.delay().get() == 0

    (message,) = mail.outbox
    order = orders["expired"]
    assert message.to == ["maria@example.org"]
    assert message.subject == (
        f"Παραγγελία {order.number} – Μελισσοκομικός Συνεταιρισμός Κρήτης: "
        f"{OrderStatus.CANCELLED.label}"
    )
    # 10:00 UTC on 1 March 2024 is noon in Athens.
    assert (
        "Η πληρωμή έπρεπε να γίνει έως Παρασκευή 1 Μαρτίου 2024, 12:00 (ώρα Ελλάδας) "
        "και δεν έχει ληφθεί, οπότε η παραγγελία ακυρώθηκε.\n"
    ) in message.body
    assert "Τα προϊόντα που είχαν δεσμευτεί για εσάς αποδεσμεύτηκαν" in message.body
    assert "2 × Μέλι θυμαρίσιο: 22,60 €\n" in message.body
    assert "επιστρέφει" not in message.body


def test_command_cancels_expired_orders_and_says_how_many(
    django_capture_on_commit_callbacks, coop, orders
):
    second = buy(django_capture_on_commit_callbacks, coop, "Πρόπολη", 1, "bank_transfer")
    expire(second)
    mail.outbox.clear()
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("release_expired_orders", stdout=out)

    assert out.getvalue() == (
        "Ακυρώθηκαν 2 απλήρωτες παραγγελίες των οποίων η προθεσμία πληρωμής είχε λήξει.\n"
    )
    assert set(Order.objects.filter(status=OrderStatus.CANCELLED).values_list("pk", flat=True)) == {
        orders["expired"].pk,
        second.pk,
    }
    assert stock_of(orders["expired"]) == (5, 0)
    assert stock_of(second) == (5, 0)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "maria@example.org",
        "maria@example.org",
    ]

    again = StringIO()
    call_command("release_expired_orders", stdout=again)
    assert again.getvalue() == (
        "Καμία απλήρωτη παραγγελία δεν έχει ξεπεράσει την προθεσμία πληρωμής της.\n"
    )


def test_command_output_with_one_cancelled_order(django_capture_on_commit_callbacks, orders):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("release_expired_orders", stdout=out)

    assert out.getvalue() == (
        "Ακυρώθηκε 1 απλήρωτη παραγγελία της οποίας η προθεσμία πληρωμής είχε λήξει.\n"
    )


def test_unpaid_card_order_expires_too(django_capture_on_commit_callbacks, settings):
    settings.STRIPE_ENABLED = True
    coop = OrganisationFactory(
        contact_email="tours@coop.gr",
        stripe_account_id="acct_123",
        stripe_charges_enabled=True,
        stripe_payouts_enabled=True,
    )
    order = buy(django_capture_on_commit_callbacks, coop, "Ξενάγηση", 2, "card")
    assert order.payment_deadline is not None
    expire(order, timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_expired_orders.delay().get() == 1

    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert stock_of(order) == (5, 0)
    (message,) = mail.outbox
    assert "δεν έχει ληφθεί, οπότε η παραγγελία ακυρώθηκε" in message.body
    assert "/pay/" not in message.body
