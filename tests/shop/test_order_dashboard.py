"""An organisation's order life in the dashboard: it sees only its own part of a
purchase, moves it through the statuses the order may take (stock and payment
follow), marks offline payments received, prints receipts and exports CSV."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from shop.order import stripe_payments
from shop.order.models import OrderStatus
from shop.order.services import PartChoice
from tests.factories import UserFactory, create_member
from tests.factories.market import (
    VALID_IBAN,
    buy,
    product_of,
    selling_organisation,
    shipping_address,
)
from tests.shop.stripe_double import stripe_configured

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
StockRecord = get_model("partner", "StockRecord")

ATHENS = ZoneInfo("Europe/Athens")

product = partial(product_of, stock=10)


def organisation(name, vat_number, **fields):
    return selling_organisation(
        name, vat_number=vat_number, tax_office="ΔΟΥ Χανίων", iban=VALID_IBAN, **fields
    )


@pytest.fixture
def market():
    """Three organisations and one purchase across them; A ships its part (bank
    transfer), B and C are picked up."""
    org_a = organisation("Συνεταιρισμός Άλφα", "094014201", shipping_fees=[("0", "3.72")])
    org_b = organisation("Συνεταιρισμός Βήτα", "090000045")
    org_c = organisation("Συνεταιρισμός Γάμμα", "099999999")
    honey = product(org_a, "Θυμαρίσιο μέλι", "8.00", stock=10)
    soap = product(org_b, "Σαπούνι ελαιολάδου", "4.00")
    tour = product(org_c, "Ξενάγηση στο αμπέλι", "20.00", vat="standard")
    purchase = buy(
        [(honey, 3), (soap, 2), (tour, 1)],
        {
            org_a.pk: PartChoice("shipping", "bank_transfer"),
            org_b.pk: PartChoice("pickup", "cash"),
            org_c.pk: PartChoice("pickup", "bank_transfer"),
        },
        address=shipping_address(),
    )
    member_a = create_member(org_a, email="a@example.org")
    return {
        "org_a": org_a,
        "org_b": org_b,
        "org_c": org_c,
        "honey": honey,
        "purchase": purchase,
        "order_a": purchase.orders.get(organisation=org_a),
        "order_b": purchase.orders.get(organisation=org_b),
        "order_c": purchase.orders.get(organisation=org_c),
        "member_a": member_a,
    }


@pytest.fixture
def client_a(client, market):
    client.force_login(market["member_a"])
    return client


def detail_url(order):
    """The English page, so that the messages asserted are the msgids."""
    with translation.override("en"):
        return reverse("dashboard:order-detail", kwargs={"number": order.number})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_member_lists_only_their_organisations_part(client_a, market):
    response = client_a.get(reverse("dashboard:order-list"))

    assert response.status_code == 200
    assert list(response.context["orders"]) == [market["order_a"]]
    content = response.content.decode()
    assert market["order_a"].number in content
    assert "Συνεταιρισμός Άλφα" in content
    assert market["order_b"].number not in content
    assert market["order_c"].number not in content
    assert "Συνεταιρισμός Βήτα" not in content
    # The status is shown by its name, with the export form and its labelled dates.
    assert str(OrderStatus.NEW.label) in content
    assert 'for="id_date_from"' in content and 'id="id_date_from"' in content


@pytest.mark.parametrize("name", ["order-detail", "order-receipt", "order-receipt-pdf"])
def test_member_gets_404_on_another_organisations_order(client_a, market, name):
    response = client_a.get(
        reverse(f"dashboard:{name}", kwargs={"number": market["order_b"].number})
    )

    assert response.status_code == 404


def test_member_cannot_change_another_organisations_order(client_a, market):
    response = client_a.post(
        detail_url(market["order_b"]),
        {"order_action": "change_order_status", "new_status": "confirmed"},
    )

    assert response.status_code == 404
    market["order_b"].refresh_from_db()
    assert market["order_b"].status == OrderStatus.NEW


def test_order_page_shows_the_parts_details_and_receipt_links(client_a, market):
    order = market["order_a"]

    response = client_a.get(detail_url(order))

    content = response.content.decode()
    assert "Συνεταιρισμός Άλφα" in content
    assert reverse("dashboard:order-receipt", kwargs={"number": order.number}) in content
    assert reverse("dashboard:order-receipt-pdf", kwargs={"number": order.number}) in content
    assert 'value="mark_paid"' in content
    choices = [
        code for code, _label in response.context["order_status_form"].fields["new_status"].choices
    ]
    assert choices == ["confirmed", "paid", "shipped", "completed", "cancelled"]


def test_member_moves_own_order_through_its_statuses(client_a, market):
    order = market["order_a"]
    stockrecord = StockRecord.objects.get(product=market["honey"])
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (10, 3)

    for status in ("confirmed", "paid", "shipped", "completed"):
        response = client_a.post(
            detail_url(order), {"order_action": "change_order_status", "new_status": status}
        )
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.status == status, messages_of(response)
        stockrecord.refresh_from_db()
        if status in ("confirmed", "paid"):
            assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (10, 3)
        else:
            # Taken out of stock for good when shipped, once.
            assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (7, 0)

    assert order.paid_at is not None
    changes = order.status_changes.order_by("date_created", "pk")
    assert list(changes.values_list("old_status", "new_status")) == [
        ("new", "confirmed"),
        ("confirmed", "paid"),
        ("paid", "shipped"),
        ("shipped", "completed"),
    ]
    assert order.notes.filter(note_type=OrderNote.SYSTEM).count() == 4
    # Other organisations' parts are untouched.
    assert set(Order.objects.exclude(pk=order.pk).values_list("status", flat=True)) == {"new"}


def test_member_cancels_own_order_and_its_stock_goes_back(
    client_a, market, mailoutbox, django_capture_on_commit_callbacks
):
    order = market["order_a"]
    stockrecord = StockRecord.objects.get(product=market["honey"])
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (10, 3)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            detail_url(order), {"order_action": "change_order_status", "new_status": "cancelled"}
        )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED, messages_of(response)
    assert order.paid_at is None
    stockrecord.refresh_from_db()
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (10, 0)
    assert list(order.lines.values_list("num_allocated", "allocation_cancelled")) == [(0, True)]
    # The other organisations' parts keep their reserved stock.
    soap = StockRecord.objects.get(product__title="Σαπούνι ελαιολάδου")
    assert (soap.num_in_stock, soap.num_allocated) == (10, 2)
    assert set(Order.objects.exclude(pk=order.pk).values_list("status", flat=True)) == {"new"}
    # A cancelled order is final: nothing more to choose, and a second cancel changes nothing.
    choices = client_a.get(detail_url(order)).context["order_status_form"].fields["new_status"]
    assert choices.choices == []
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(
            detail_url(order), {"order_action": "change_order_status", "new_status": "cancelled"}
        )
    stockrecord.refresh_from_db()
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (10, 0)
    # The consumer is told once.
    assert [message.to for message in mailoutbox] == [["maria@example.org"]]


def test_pickup_order_cannot_be_shipped(client, market):
    org_b = market["org_b"]
    member_b = create_member(org_b, email="b@example.org")
    client.force_login(member_b)
    order = market["order_b"]

    response = client.post(
        detail_url(order), {"order_action": "change_order_status", "new_status": "shipped"}
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Order {order.number} cannot take this status; choose one of those offered."
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW
    assert order.status_changes.count() == 0
    stockrecord = StockRecord.objects.get(product__title="Σαπούνι ελαιολάδου")
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (10, 2)
    choices = client.get(detail_url(order)).context["order_status_form"].fields["new_status"]
    assert [code for code, _label in choices.choices] == [
        "confirmed",
        "paid",
        "ready_for_pickup",
        "completed",
        "cancelled",
    ]


def test_bulk_status_change_goes_through_the_order_rules(client, market):
    member_b = create_member(market["org_b"], email="b@example.org")
    client.force_login(member_b)
    order = market["order_b"]

    with translation.override("en"):
        list_url = reverse("dashboard:order-list")
    response = client.post(
        list_url,
        {"action": "change_order_statuses", "selected_order": [order.pk], "new_status": "shipped"},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW
    assert len(messages_of(response)) == 1
    assert order.number in messages_of(response)[0]


def test_member_marks_bank_transfer_order_paid(client_a, market):
    order = market["order_a"]

    response = client_a.post(detail_url(order), {"order_action": "mark_paid"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None


def test_card_order_cannot_be_marked_paid(client, settings):
    settings.STRIPE_ENABLED = True
    coop = organisation(
        "Συνεταιρισμός Κάρτας",
        "123456783",
        stripe_account="acct_test",
    )
    purchase = buy([(product(coop, "Λάδι", "10.00"), 1)], {coop.pk: PartChoice("pickup", "card")})
    order = purchase.orders.get()
    client.force_login(create_member(coop, email="card@example.org"))

    page = client.get(detail_url(order))
    response = client.post(detail_url(order), {"order_action": "mark_paid"})

    assert 'value="mark_paid"' not in page.content.decode()
    assert response.status_code == 302
    assert messages_of(response) == [
        "Only bank transfer and cash orders are marked paid by hand; card payments are "
        "recorded when Stripe confirms them."
    ]
    order.refresh_from_db()
    assert (order.status, order.paid_at) == (OrderStatus.NEW, None)


def test_dashboard_receipt_of_own_order(client_a, market):
    order = market["order_a"]

    page = client_a.get(reverse("dashboard:order-receipt", kwargs={"number": order.number}))
    pdf = client_a.get(reverse("dashboard:order-receipt-pdf", kwargs={"number": order.number}))

    assert page.status_code == 200
    assert order.receipt_code in page.content.decode()
    assert "094014201" in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_receipt_and_export_need_dashboard_access(client, market):
    order = market["order_a"]
    urls = [
        reverse("dashboard:order-receipt", kwargs={"number": order.number}),
        reverse("dashboard:order-export") + "?date_from=2025-01-01&date_to=2025-12-31",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(UserFactory())  # signed in, member of nothing
    for url in urls:
        assert client.get(url).status_code in (302, 403)


# CSV export --------------------------------------------------------------------------

ENGLISH_HEADER = [
    "Order number",
    "Receipt",
    "Date placed",
    "Status",
    "Customer name",
    "Customer e-mail",
    "Customer phone",
    "Delivery method",
    "Payment method",
    "Paid at",
    "Product",
    "SKU",
    "Quantity",
    "Unit price incl. VAT",
    "VAT rate (%)",
    "Line total incl. VAT",
    "Order delivery fee incl. VAT",
    "Order total incl. VAT",
]


def place_at(order, when):
    Order.objects.filter(pk=order.pk).update(date_placed=when)
    order.refresh_from_db()
    return order


def export(client, **params):
    with translation.override("en"):
        url = reverse("dashboard:order-export")
    return client.get(url, params)


def read_csv(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


@pytest.fixture
def march(market):
    """A's orders placed around March 2025 (Athens time): the first and last minutes of
    the month are in it, the minutes just outside are not."""
    org_a = market["org_a"]
    olive_oil = product(org_a, "Ελαιόλαδο", "10.00", vat="reduced")
    first = place_at(market["order_a"], datetime(2025, 3, 1, 0, 30, tzinfo=ATHENS))
    last = buy(
        [(olive_oil, 2), (market["honey"], 1)], {org_a.pk: PartChoice("pickup", "bank_transfer")}
    ).orders.get()
    last = place_at(last, datetime(2025, 3, 31, 23, 30, tzinfo=ATHENS))
    before = buy([(olive_oil, 1)], {org_a.pk: PartChoice("pickup", "cash")}).orders.get()
    place_at(before, datetime(2025, 2, 28, 23, 59, tzinfo=ATHENS))
    after = buy([(olive_oil, 1)], {org_a.pk: PartChoice("pickup", "cash")}).orders.get()
    place_at(after, datetime(2025, 4, 1, 0, 10, tzinfo=ATHENS))
    # B's and C's parts of the first purchase, in the same month.
    for key in ("order_b", "order_c"):
        place_at(market[key], datetime(2025, 3, 15, 12, 0, tzinfo=ATHENS))
    return {"first": first, "last": last}


def test_csv_export_holds_only_the_members_orders_of_the_range(client_a, market, march):
    first, last = march["first"], march["last"]
    Order.objects.filter(pk=first.pk).update(
        status="paid", paid_at=datetime(2025, 3, 2, 9, 15, tzinfo=ATHENS)
    )

    response = export(client_a, date_from="2025-03-01", date_to="2025-03-31")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="orders-2025-03-01-2025-03-31.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == ENGLISH_HEADER
    customer = ["Μαρία Παπαδοπούλου", "maria@example.org", "6912345678"]
    assert rows[1:] == [
        [first.number, first.receipt_code, "2025-03-01 00:30", "Paid", *customer,
         "Shipping to your address", "Bank transfer", "2025-03-02 09:15",
         "Θυμαρίσιο μέλι", market["honey"].stockrecords.get().partner_sku,
         "3", "9.04", "13", "27.12", "3.72", "30.84"],
        [last.number, last.receipt_code, "2025-03-31 23:30", "New", *customer,
         "Pickup from the organisation", "Bank transfer", "",
         "Ελαιόλαδο", last.lines.get(title="Ελαιόλαδο").partner_sku,
         "2", "11.30", "13", "22.60", "0.00", "31.64"],
        [last.number, last.receipt_code, "2025-03-31 23:30", "New", *customer,
         "Pickup from the organisation", "Bank transfer", "",
         "Θυμαρίσιο μέλι", market["honey"].stockrecords.get().partner_sku,
         "1", "9.04", "13", "9.04", "0.00", "31.64"],
    ]  # fmt: skip


def test_csv_export_is_in_greek_by_default(client_a, march):
    response = client_a.get(
        reverse("dashboard:order-export"), {"date_from": "2025-03-01", "date_to": "2025-03-01"}
    )

    rows = read_csv(response)
    assert len(rows) == 2
    assert rows[1][0] == march["first"].number
    assert rows[1][3] == str(OrderStatus.NEW.label)


def test_csv_export_for_staff_holds_every_organisation(client, market, march):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    rows = read_csv(export(client, date_from="2025-03-01", date_to="2025-03-31"))

    assert sorted({row[0] for row in rows[1:]}) == sorted(
        [march["first"].number, march["last"].number, market["order_b"].number,
         market["order_c"].number]
    )  # fmt: skip


INVALID_DATES = "Give the first and the last day of the export as valid dates."


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-13-01", "date_to": "2025-12-31"}, INVALID_DATES),
        ({"date_from": "01/03/2025", "date_to": "2025-03-31"}, INVALID_DATES),
        ({"date_from": "2025-02-30", "date_to": "2025-03-31"}, INVALID_DATES),
        ({"date_to": "2025-03-31"}, INVALID_DATES),
        ({}, INVALID_DATES),
        (
            {"date_from": "2025-04-01", "date_to": "2025-03-01"},
            "The first day of the export must not be after the last.",
        ),
    ],
)
def test_csv_export_with_bad_dates_goes_back_to_the_list(client_a, params, message):
    response = export(client_a, **params)

    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"] == reverse("dashboard:order-list")
    assert messages_of(response) == [message]


def test_csv_export_queries_do_not_grow_with_orders(client_a, market):
    org_a = market["org_a"]
    olive_oil = product(org_a, "Ελαιόλαδο", "10.00", stock=100)
    today = datetime.now(ATHENS).date().isoformat()

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = export(client_a, date_from=today, date_to=today)
        assert response.status_code == 200
        return len(context.captured_queries), len(read_csv(response)) - 1

    soap = product(org_a, "Σαπούνι", "3.00", stock=100)
    count_one, rows_one = queries()
    for _ in range(9):
        buy([(olive_oil, 1), (soap, 1)], {org_a.pk: PartChoice("pickup", "cash")})
    count_many, rows_many = queries()

    assert (rows_one, rows_many) == (1, 19)
    assert count_one == count_many


def order_list_queries(client):
    """The queries that the order list makes, and the number of orders it lists."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("dashboard:order-list"))
    assert response.status_code == 200
    return len(context.captured_queries), len(response.context["orders"])


def test_order_list_queries_do_not_grow_with_orders(client_a, market):
    org_a = market["org_a"]
    olive_oil = product(org_a, "Ελαιόλαδο", "10.00", stock=100)

    count_one, orders_one = order_list_queries(client_a)
    for _ in range(9):
        buy([(olive_oil, 1)], {org_a.pk: PartChoice("pickup", "cash")})
    count_many, orders_many = order_list_queries(client_a)

    assert (orders_one, orders_many) == (1, 10)
    assert count_one == count_many


def test_staff_order_list_queries_do_not_grow_with_orders(client, market):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    org_a = market["org_a"]
    olive_oil = product(org_a, "Ελαιόλαδο", "10.00", stock=100)

    count_three, orders_three = order_list_queries(client)
    for _ in range(7):
        buy([(olive_oil, 1)], {org_a.pk: PartChoice("pickup", "cash")})
    count_many, orders_many = order_list_queries(client)

    assert (orders_three, orders_many) == (3, 10)
    assert count_three == count_many
    detail = client.get(detail_url(market["order_b"]))
    assert detail.status_code == 200
    assert "Συνεταιρισμός Βήτα" in detail.content.decode()
    assert 'value="mark_paid"' in detail.content.decode()


# Cancelling a paid card order: refunded through Stripe (tests/shop/stripe_double.py) ---


@pytest.fixture
def card_order(settings):
    """A card order of 2 × 8.00 honey (+13% VAT = 18.08), paid through the Stripe double;
    its organisation's member is logged in by the tests."""
    with stripe_configured(settings) as double:
        org = organisation("Συνεταιρισμός Δέλτα", "094014201", stripe_account="acct_delta")
        honey = product(org, "Θυμαρίσιο μέλι", "8.00")
        purchase = buy([(honey, 2)], {org.pk: PartChoice("pickup", "card")})
        stripe_payments.start_card_payment(purchase)
        purchase.refresh_from_db()
        double.succeed_payment_intent(purchase.stripe_payment_intent_id)
        stripe_payments.sync_card_payment(purchase)
        order = purchase.orders.get()
        assert (order.status, order.total_incl_tax) == (OrderStatus.PAID, Decimal("18.08"))
        yield {"order": order, "member": create_member(org), "stripe": double}


def test_member_cancels_a_paid_card_order_and_it_is_refunded(client, card_order):
    order, stripe_api = card_order["order"], card_order["stripe"]
    client.force_login(card_order["member"])

    response = client.post(
        detail_url(order), {"order_action": "change_order_status", "new_status": "cancelled"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    message = (
        f"Order {order.number}: status changed from “Paid” to “Cancelled”. "
        "€18.08 has been refunded to the customer's card."
    )
    assert messages_of(response) == [message]
    assert list(order.notes.values_list("message", flat=True)) == [message]
    (refund,) = stripe_api.requests_to("POST", "/v1/refunds")
    assert (refund.params["amount"], refund.params["metadata[order]"]) == ("1808", order.number)
    (reversal,) = stripe_api.requests_to("POST", "/v1/transfers/tr_1/reversals")
    assert reversal.params["amount"] == "1627"  # 18.08 less the 1.81 the platform kept
    content = client.get(detail_url(order)).content.decode()
    assert "Refunded to the customer's card</th>" in content
    assert "<td>€18.08</td>" in content


def test_refused_refund_shows_a_translated_error_and_keeps_the_order(client, card_order):
    order, stripe_api = card_order["order"], card_order["stripe"]
    stripe_api.refusals["refunds"] = ("charge_disputed", "Charge ch_1 has been disputed.")
    client.force_login(card_order["member"])
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})

    response = client.post(
        url, {"order_action": "change_order_status", "new_status": "cancelled"}, follow=True
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert (
        f"Η παραγγελία {order.number} δεν ακυρώθηκε: η Stripe αρνήθηκε την επιστροφή της "
        "πληρωμής της με κάρτα (charge_disputed). Επικοινωνήστε με την ομάδα της πλατφόρμας."
    ) in content
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == (OrderStatus.PAID, Decimal("0.00"))
    assert not order.notes.exists()
    assert stripe_api.requests_to("POST", "/v1/transfers/*") == []
