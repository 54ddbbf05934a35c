"""Card payments through Stripe (shop/order/stripe_payments.py, shop/checkout/stripe_views.py,
shop/organisations/stripe_views.py), with the official library pointed at a local test
double of Stripe's API (tests/shop/stripe_double.py)."""

import hashlib
import hmac
import json
import socket
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from oscar.core.loading import get_model

from shop.order import stripe_payments, tasks
from shop.order.models import OrderStatus, PaymentProviderEvent, Purchase
from shop.order.services import (
    Consumer,
    PartChoice,
    change_status,
    group_basket,
    release_expired_orders,
)
from tests.factories import OrganisationFactory, UserFactory, create_member, create_offered_product
from tests.factories.market import basket_with, buy, card_organisation
from tests.shop.stripe_double import stripe_configured

pytestmark = pytest.mark.django_db

Partner = get_model("partner", "Partner")
PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")
StockRecord = get_model("partner", "StockRecord")

SECRET_KEY = "sk_test_double"
WEBHOOK_SECRET = "whsec_double"


@pytest.fixture
def stripe_api(settings):
    """Stripe configured and its API served by a local double; platform contribution 10%."""
    with stripe_configured(settings, api_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET) as double:
        yield double


@pytest.fixture
def market(stripe_api):
    """Honey (2 × 10.00 + 13% VAT = 22.60) and soap (7.35 + 13% VAT = 8.31) paid by card to
    two organisations; olive oil (5.00 + 13% VAT = 5.65) paid in cash to a third."""
    honey_org = card_organisation("Α Μελισσοκόμοι Κρήτης", "acct_honey")
    soap_org = card_organisation("Β Σαπωνοποιία Λέσβου", "acct_soap")
    oil_org = OrganisationFactory(name="Γ Ελαιώνες Μεσσηνίας", accepts_cash=True)
    honey = create_offered_product(organisation=honey_org, price=Decimal("10.00"), title="Μέλι")
    soap = create_offered_product(organisation=soap_org, price=Decimal("7.35"), title="Σαπούνι")
    oil = create_offered_product(organisation=oil_org, price=Decimal("5.00"), title="Λάδι")
    purchase = buy(
        [(honey, 2), (soap, 1), (oil, 1)],
        {
            honey_org.pk: PartChoice("pickup", "card"),
            soap_org.pk: PartChoice("pickup", "card"),
            oil_org.pk: PartChoice("pickup", "cash"),
        },
        consumer=Consumer(email="maria@example.org", name="Μαρία Παπαδάκη"),
    )
    honey_order, soap_order, oil_order = purchase.orders.order_by("number")
    assert (honey_order.organisation, soap_order.organisation, oil_order.organisation) == (
        honey_org,
        soap_org,
        oil_org,
    )
    assert honey_order.total_incl_tax == Decimal("22.60")
    assert soap_order.total_incl_tax == Decimal("8.31")
    assert oil_order.total_incl_tax == Decimal("5.65")
    return purchase


def orders_of(purchase):
    return list(purchase.orders.order_by("number"))


def pay_url(purchase):
    return reverse("checkout:pay", kwargs={"token": purchase.token})


def signed_webhook(client, event, secret=WEBHOOK_SECRET):
    """POST the event to the webhook, signed the way Stripe signs it."""
    payload = json.dumps(event)
    timestamp = int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return client.post(
        reverse("checkout:stripe-webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )


def event(event_id, event_type, obj):
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def started_and_paid(client, stripe_api, purchase):
    """The consumer opens the pay page and pays: the PaymentIntent as Stripe reports it."""
    assert client.get(pay_url(purchase)).status_code == 200
    purchase.refresh_from_db()
    return stripe_api.succeed_payment_intent(purchase.stripe_payment_intent_id)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Starting the payment ------------------------------------------------------------------


def test_pay_page_creates_one_payment_intent_for_the_card_parts(client, stripe_api, market):
    response = client.get(pay_url(market))

    assert response.status_code == 200
    created = stripe_api.requests_to("POST", "/v1/payment_intents")
    assert len(created) == 1
    params = created[0].params
    honey_order, soap_order, _oil_order = orders_of(market)
    assert params["amount"] == "3091"  # 22.60 + 8.31, the cash part not included
    assert params["currency"] == "eur"
    assert params["transfer_group"] == f"purchase-{market.number}"
    assert params["automatic_payment_methods[enabled]"] == "true"
    assert params["metadata[purchase]"] == market.number
    assert params["metadata[orders]"] == f"{honey_order.number},{soap_order.number}"
    market.refresh_from_db()
    assert market.stripe_payment_intent_id == "pi_1"
    content = response.content.decode()
    assert 'data-client-secret="pi_1_secret_test"' in content
    assert 'data-publishable-key="pk_test_double"' in content
    assert "https://js.stripe.com/v3/" in content
    assert "Α Μελισσοκόμοι Κρήτης" in content
    assert "Β Σαπωνοποιία Λέσβου" in content
    assert "Γ Ελαιώνες Μεσσηνίας" not in content
    return_url = "http://testserver" + reverse(
        "checkout:card-return", kwargs={"token": market.token}
    )
    assert f'data-return-url="{return_url}"' in content
    assert 'data-locale="el"' in content


def test_pay_page_reuses_the_payment_intent_still_waiting_for_payment(client, stripe_api, market):
    client.get(pay_url(market))
    response = client.get(pay_url(market))

    assert response.status_code == 200
    assert len(stripe_api.requests_to("POST", "/v1/payment_intents")) == 1
    assert stripe_api.requests_to("POST", "/v1/payment_intents/*") == []
    assert 'data-client-secret="pi_1_secret_test"' in response.content.decode()


def test_pay_page_updates_the_amount_when_a_card_part_was_cancelled(client, stripe_api, market):
    client.get(pay_url(market))
    _honey_order, soap_order, _oil_order = orders_of(market)
    change_status(soap_order, OrderStatus.CANCELLED)

    response = client.get(pay_url(market))

    assert response.status_code == 200
    assert len(stripe_api.requests_to("POST", "/v1/payment_intents")) == 1
    updates = stripe_api.requests_to("POST", "/v1/payment_intents/pi_1")
    assert len(updates) == 1
    assert updates[0].params["amount"] == "2260"
    assert stripe_api.object("pi_1")["amount"] == 2260


def test_pay_page_of_a_wrong_token_is_404(client, stripe_api, market):
    response = client.get(reverse("checkout:pay", kwargs={"token": "not-" + market.token}))

    assert response.status_code == 404
    assert stripe_api.requests == []


def test_pay_page_redirects_when_everything_is_paid(client, stripe_api, market):
    intent = started_and_paid(client, stripe_api, market)
    signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    response = client.get(pay_url(market))

    assert response.status_code == 302
    assert response["Location"] == market.get_absolute_url()
    assert len(stripe_api.requests_to("POST", "/v1/payment_intents")) == 1
    assert messages_of(response)


# The webhook --------------------------------------------------------------------------


def test_webhook_marks_the_card_orders_paid_and_transfers_to_each_organisation(
    client, stripe_api, market
):
    intent = started_and_paid(client, stripe_api, market)

    response = signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    assert response.status_code == 200
    honey_order, soap_order, oil_order = orders_of(market)
    for order in (honey_order, soap_order):
        assert order.paid_at is not None
        assert order.status == OrderStatus.PAID
    assert oil_order.paid_at is None
    assert oil_order.status == OrderStatus.NEW
    transfers = stripe_api.requests_to("POST", "/v1/transfers")
    assert [(t.params["destination"], t.params["amount"]) for t in transfers] == [
        ("acct_honey", "2034"),  # 22.60 less 10% (2.26)
        ("acct_soap", "748"),  # 8.31 less 10% (0.831 -> 0.83)
    ]
    for transfer in transfers:
        assert transfer.params["currency"] == "eur"
        assert transfer.params["transfer_group"] == f"purchase-{market.number}"
        assert transfer.params["source_transaction"] == "ch_1"
    assert [t.idempotency_key for t in transfers] == [
        f"transfer-{honey_order.number}",
        f"transfer-{soap_order.number}",
    ]
    assert (honey_order.stripe_transfer_id, soap_order.stripe_transfer_id) == ("tr_1", "tr_2")
    assert (honey_order.platform_contribution, soap_order.platform_contribution) == (
        Decimal("2.26"),
        Decimal("0.83"),
    )
    assert oil_order.stripe_transfer_id == ""
    assert list(PaymentProviderEvent.objects.values_list("event_id", "event_type")) == [
        ("evt_1", "payment_intent.succeeded")
    ]


def test_replayed_webhook_changes_nothing(client, stripe_api, market):
    intent = started_and_paid(client, stripe_api, market)
    first = event("evt_1", "payment_intent.succeeded", intent)
    signed_webhook(client, first)
    paid_at = [order.paid_at for order in orders_of(market)]
    requests_before = len(stripe_api.requests)

    response = signed_webhook(client, first)

    assert response.status_code == 200
    assert [order.paid_at for order in orders_of(market)] == paid_at
    assert len(stripe_api.requests) == requests_before
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 2
    assert PaymentProviderEvent.objects.count() == 1


def test_second_event_for_the_same_payment_creates_no_second_transfer(client, stripe_api, market):
    intent = started_and_paid(client, stripe_api, market)
    signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))
    paid_at = [order.paid_at for order in orders_of(market)]

    response = signed_webhook(client, event("evt_2", "payment_intent.succeeded", intent))

    assert response.status_code == 200
    assert [order.paid_at for order in orders_of(market)] == paid_at
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 2
    assert [o.stripe_transfer_id for o in orders_of(market)] == ["tr_1", "tr_2", ""]
    assert PaymentProviderEvent.objects.count() == 2


@pytest.mark.parametrize(
    "secret_or_header",
    ["whsec_someone_else", "no-header", "t=1,v1=0000"],
)
def test_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    client, stripe_api, market, secret_or_header
):
    intent = started_and_paid(client, stripe_api, market)
    payload = event("evt_1", "payment_intent.succeeded", intent)
    if secret_or_header.startswith("whsec_"):
        response = signed_webhook(client, payload, secret=secret_or_header)
    else:
        headers = (
            {} if secret_or_header == "no-header" else {"HTTP_STRIPE_SIGNATURE": secret_or_header}
        )
        response = client.post(
            reverse("checkout:stripe-webhook"),
            data=json.dumps(payload),
            content_type="application/json",
            **headers,
        )

    assert response.status_code == 400
    assert all(order.paid_at is None for order in orders_of(market))
    assert all(order.status == OrderStatus.NEW for order in orders_of(market))
    assert stripe_api.requests_to("POST", "/v1/transfers") == []
    assert PaymentProviderEvent.objects.count() == 0


def test_webhook_with_a_signed_payload_that_is_not_json_is_refused(client, stripe_api):
    payload = "not json"
    timestamp = int(time.time())
    signature = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()

    response = client.post(
        reverse("checkout:stripe-webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )

    assert response.status_code == 400
    assert PaymentProviderEvent.objects.count() == 0


def test_webhook_refuses_get(client, stripe_api):
    assert client.get(reverse("checkout:stripe-webhook")).status_code == 405


def test_webhook_of_an_unknown_type_is_accepted_and_ignored(client, stripe_api, market):
    response = signed_webhook(
        client, event("evt_9", "customer.created", {"id": "cus_1", "object": "customer"})
    )

    assert response.status_code == 200
    assert PaymentProviderEvent.objects.get().event_type == "customer.created"
    assert stripe_api.requests == []


def test_webhook_without_a_configured_secret_is_refused(client, stripe_api, market, settings):
    intent = started_and_paid(client, stripe_api, market)
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent), secret="")

    assert response.status_code == 400
    assert all(order.paid_at is None for order in orders_of(market))


def test_payment_of_another_amount_records_nothing(client, stripe_api, market):
    intent = started_and_paid(client, stripe_api, market)
    intent["amount_received"] = 100

    response = signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    assert response.status_code == 200
    assert all(order.paid_at is None for order in orders_of(market))
    assert stripe_api.requests_to("POST", "/v1/transfers") == []


def test_account_updated_webhook_updates_the_organisation(client, stripe_api):
    organisation = OrganisationFactory(stripe_account_id="acct_new")
    other = card_organisation("Άλλη οργάνωση", "acct_other")
    account = {
        "id": "acct_new",
        "object": "account",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
    }

    response = signed_webhook(client, event("evt_acct", "account.updated", account))

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert (organisation.stripe_charges_enabled, organisation.stripe_payouts_enabled) == (
        True,
        True,
    )
    assert organisation.accepts_card
    account.update(id="acct_other", payouts_enabled=False)
    signed_webhook(client, event("evt_acct_2", "account.updated", account))
    other.refresh_from_db()
    assert (other.stripe_charges_enabled, other.stripe_payouts_enabled) == (True, False)
    assert not other.accepts_card


def test_webhook_signed_with_the_connect_endpoint_secret_is_accepted(client, stripe_api, settings):
    settings.STRIPE_WEBHOOK_SECRET = f"{WEBHOOK_SECRET}, whsec_connect"
    organisation = OrganisationFactory(stripe_account_id="acct_new")
    account = {
        "id": "acct_new",
        "object": "account",
        "charges_enabled": True,
        "payouts_enabled": True,
    }

    response = signed_webhook(
        client, event("evt_acct", "account.updated", account), secret="whsec_connect"
    )

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.accepts_card
    refused = signed_webhook(
        client, event("evt_acct_2", "account.updated", account), secret="whsec_other"
    )
    assert refused.status_code == 400
    assert PaymentProviderEvent.objects.count() == 1


# Coming back from the payment ----------------------------------------------------------


def test_return_from_payment_records_it_and_the_webhook_then_changes_nothing(
    client, stripe_api, market
):
    intent = started_and_paid(client, stripe_api, market)

    response = client.get(reverse("checkout:card-return", kwargs={"token": market.token}))

    assert response.status_code == 302
    assert response["Location"] == market.get_absolute_url()
    assert [o.status for o in orders_of(market)] == [
        OrderStatus.PAID,
        OrderStatus.PAID,
        OrderStatus.NEW,
    ]
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 2
    paid_at = [order.paid_at for order in orders_of(market)]

    signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    assert [order.paid_at for order in orders_of(market)] == paid_at
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 2


def test_return_from_a_failed_payment_records_nothing(client, stripe_api, market):
    client.get(pay_url(market))

    response = client.get(reverse("checkout:card-return", kwargs={"token": market.token}))

    assert response.status_code == 302
    assert response["Location"] == market.get_absolute_url()
    assert all(order.paid_at is None for order in orders_of(market))
    assert stripe_api.requests_to("POST", "/v1/transfers") == []
    assert len(messages_of(response)) == 1


# A payment that arrives too late -------------------------------------------------------


def test_a_payment_refunded_for_an_expired_part_is_told_to_the_consumer(
    client, stripe_api, market, mailoutbox, django_capture_on_commit_callbacks
):
    client.get(pay_url(market))
    _honey_order, soap_order, _oil_order = orders_of(market)
    market.orders.exclude(pk=soap_order.pk).update(
        payment_deadline=timezone.now() + timedelta(hours=1)
    )
    market.orders.filter(pk=soap_order.pk).update(
        payment_deadline=timezone.now() - timedelta(minutes=1)
    )
    release_expired_orders()
    intent = stripe_api.succeed_payment_intent("pi_1")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    late = [message for message in mailoutbox if "επιστράφηκε" in message.subject]
    (message,) = late
    assert message.to == ["maria@example.org"]
    assert message.subject == (
        f"Παραγγελία {soap_order.number} – {soap_order.organisation.name}: "
        "η πληρωμή σας επιστράφηκε"
    )
    assert "έφτασε αφού είχε ακυρωθεί η παραγγελία" in message.body
    assert "Επιστράφηκαν 8,31 € στην κάρτα σας." in message.body
    # A replayed notification refunds nothing more and tells nothing more.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))
    assert mailoutbox == []


def test_payment_for_an_expired_part_refunds_it_and_leaves_it_cancelled(client, stripe_api, market):
    client.get(pay_url(market))
    honey_order, soap_order, _oil_order = orders_of(market)
    # The honey part's deadline has not passed; the soap part's has.
    market.orders.filter(pk=honey_order.pk).update(
        payment_deadline=timezone.now() + timedelta(hours=1)
    )
    market.orders.filter(pk=soap_order.pk).update(
        payment_deadline=timezone.now() - timedelta(minutes=1)
    )
    assert release_expired_orders() == 1
    intent = stripe_api.succeed_payment_intent("pi_1")  # paid in a tab opened earlier

    signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    honey_order, soap_order, _oil_order = orders_of(market)
    assert honey_order.status == OrderStatus.PAID
    assert soap_order.status == OrderStatus.CANCELLED
    assert soap_order.paid_at is None
    assert soap_order.stripe_transfer_id == ""
    transfers = stripe_api.requests_to("POST", "/v1/transfers")
    assert [(t.params["destination"], t.params["amount"]) for t in transfers] == [
        ("acct_honey", "2034")
    ]
    refunds = stripe_api.requests_to("POST", "/v1/refunds")
    assert len(refunds) == 1
    assert refunds[0].params["payment_intent"] == "pi_1"
    assert refunds[0].params["amount"] == "831"
    assert refunds[0].idempotency_key == f"refund-{soap_order.number}"
    assert list(PaymentEvent.objects.values_list("order__number", "amount", "reference")) == [
        (soap_order.number, Decimal("8.31"), "re_1")
    ]

    # The consumer comes back from the payment: nothing is refunded or transferred twice.
    client.get(reverse("checkout:card-return", kwargs={"token": market.token}))
    signed_webhook(client, event("evt_2", "payment_intent.succeeded", intent))

    assert len(stripe_api.requests_to("POST", "/v1/refunds")) == 1
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 1
    assert orders_of(market)[1].status == OrderStatus.CANCELLED


def test_failed_transfer_keeps_the_payment_and_is_tried_again(client, stripe_api, market):
    stripe_api.restricted_accounts.add("acct_soap")
    intent = started_and_paid(client, stripe_api, market)

    response = signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    assert response.status_code == 200
    honey_order, soap_order, _oil_order = orders_of(market)
    assert honey_order.stripe_transfer_id == "tr_1"
    assert soap_order.status == OrderStatus.PAID
    assert soap_order.paid_at is not None
    assert soap_order.stripe_transfer_id == ""
    assert stripe_payments.retry_pending_transfers() == 0  # still restricted

    stripe_api.restricted_accounts.clear()
    # Stripe keeps the first answer to a key, the refusal too: the consumer's return
    # repeats the first key and is refused again; the retry asks with a key of its own.
    stripe_payments.sync_card_payment(market)
    assert orders_of(market)[1].stripe_transfer_id == ""
    assert stripe_payments.retry_pending_transfers() == 1

    soap_order = orders_of(market)[1]
    assert soap_order.stripe_transfer_id == "tr_2"
    assert soap_order.platform_contribution == Decimal("0.83")
    soap_transfers = [
        t
        for t in stripe_api.requests_to("POST", "/v1/transfers")
        if t.params["destination"] == "acct_soap"
    ]
    assert [t.params["amount"] for t in soap_transfers] == ["748"] * 4
    keys = [t.idempotency_key for t in soap_transfers]
    assert keys[0] == keys[2] == f"transfer-{soap_order.number}"
    assert keys[1].startswith(f"transfer-{soap_order.number}-retry-")
    assert keys[3].startswith(f"transfer-{soap_order.number}-retry-")
    assert keys[1] != keys[3]
    assert [t.replayed for t in soap_transfers] == [False, False, True, False]
    assert stripe_payments.retry_pending_transfers() == 0
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 5


def test_retry_finds_a_transfer_made_without_its_id_reaching_us(client, stripe_api, market):
    intent = started_and_paid(client, stripe_api, market)
    signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))
    honey_order = orders_of(market)[0]
    # The transfer was made, but its id was lost (the database transaction failed).
    market.orders.filter(pk=honey_order.pk).update(stripe_transfer_id="")

    assert stripe_payments.retry_pending_transfers() == 1

    assert orders_of(market)[0].stripe_transfer_id == "tr_1"
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 2


# An organisation cancels a paid card order ----------------------------------------------


def paid_by_card(client, stripe_api, purchase):
    """The consumer pays the card parts; the webhook records it and transfers."""
    intent = started_and_paid(client, stripe_api, purchase)
    signed_webhook(client, event("evt_paid", "payment_intent.succeeded", intent))
    return orders_of(purchase)


def cancel_from_dashboard(client, order):
    with translation.override("en"):
        url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    return client.post(url, {"order_action": "change_order_status", "new_status": "cancelled"})


def member_of(order):
    return create_member(order.organisation, email=f"member-{order.organisation.pk}@example.org")


def stripe_objects(stripe_api, object_type):
    return [obj for obj in stripe_api.objects.values() if obj["object"] == object_type]


def payment_events(order):
    return list(
        PaymentEvent.objects.filter(order=order)
        .order_by("pk")
        .values_list("event_type__name", "amount", "reference")
    )


def test_cancelling_a_paid_card_order_refunds_it_and_takes_its_transfer_back(
    client, stripe_api, market, mailoutbox, django_capture_on_commit_callbacks
):
    honey_order, soap_order, oil_order = paid_by_card(client, stripe_api, market)
    mailoutbox.clear()
    client.force_login(member_of(honey_order))

    with django_capture_on_commit_callbacks(execute=True):
        response = cancel_from_dashboard(client, honey_order)

    assert response.status_code == 302
    honey_order, soap_order, oil_order = orders_of(market)
    assert honey_order.status == OrderStatus.CANCELLED
    # The consumer gets back exactly the honey part, 22.60, of the 30.91 charged.
    (refund,) = stripe_api.requests_to("POST", "/v1/refunds")
    assert refund.params == {
        "payment_intent": "pi_1",
        "amount": "2260",
        "metadata[order]": honey_order.number,
        "metadata[purchase]": market.number,
        "metadata[reason]": "order cancelled by the organisation",
    }
    assert refund.idempotency_key == f"refund-{honey_order.number}"
    # The organisation gives back what it received, 22.60 less the 10% kept: 20.34.
    (reversal,) = stripe_api.requests_to("POST", "/v1/transfers/tr_1/reversals")
    assert reversal.params["amount"] == "2034"
    assert reversal.params["metadata[order]"] == honey_order.number
    assert reversal.idempotency_key == f"reversal-{honey_order.number}"
    assert stripe_api.requests_to("POST", "/v1/transfers/tr_2/reversals") == []
    # So the platform gives back only the 2.26 it kept: 22.60 = 20.34 + 2.26.
    (refund_object,) = stripe_objects(stripe_api, "refund")
    assert refund_object["amount"] - stripe_api.object("tr_1")["amount_reversed"] == 226
    assert honey_order.platform_contribution == Decimal("2.26")
    assert stripe_api.object("tr_1")["reversed"] is True
    assert stripe_api.object("tr_2")["amount_reversed"] == 0
    # Recorded the Oscar way.
    assert payment_events(honey_order) == [
        ("Refunded", Decimal("22.60"), "re_1"),
        ("Transfer reversed", Decimal("20.34"), "trr_1"),
    ]
    assert list(
        PaymentEvent.objects.get(reference="re_1").line_quantities.values_list(
            "line__title", "quantity"
        )
    ) == [("Μέλι", 2)]
    source = Source.objects.get(order=honey_order)
    assert (source.source_type.name, source.reference) == ("Stripe", "pi_1")
    assert (source.amount_debited, source.amount_refunded) == (Decimal("22.60"), Decimal("22.60"))
    assert list(
        source.transactions.order_by("pk").values_list("txn_type", "amount", "reference")
    ) == [
        ("Debit", Decimal("22.60"), "ch_1"),
        ("Refund", Decimal("22.60"), "re_1"),
    ]
    assert honey_order.refunded_total == Decimal("22.60")
    # The other parts are untouched.
    assert (soap_order.status, soap_order.refunded_total) == (OrderStatus.PAID, Decimal("0.00"))
    assert oil_order.status == OrderStatus.NEW
    # The organisation is told, the consumer e-mailed once.
    assert any(
        "€22.60 has been refunded to the customer's card." in m for m in messages_of(response)
    )
    (message,) = mailoutbox
    assert message.to == ["maria@example.org"]
    assert "Επιστράφηκαν 22,60 € στην κάρτα σας." in message.body

    # Cancelling again, or asking the refund again, sends nothing more to Stripe.
    requests_before = len(stripe_api.requests)
    cancel_from_dashboard(client, honey_order)
    stripe_payments.refund_cancelled_order(orders_of(market)[0])
    assert len(stripe_api.requests) == requests_before
    assert tasks.retry_pending_transfers.delay().get() == {"transfers": 0, "reversals": 0}
    assert len(stripe_objects(stripe_api, "refund")) == 1
    assert len(stripe_objects(stripe_api, "transfer_reversal")) == 1
    assert len(PaymentEvent.objects.filter(order=honey_order)) == 2


def test_card_payment_e_mail_says_the_card_payment_was_received(
    client, stripe_api, market, mailoutbox, django_capture_on_commit_callbacks
):
    intent = started_and_paid(client, stripe_api, market)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        signed_webhook(client, event("evt_1", "payment_intent.succeeded", intent))

    bodies = [message.body for message in mailoutbox if message.to == ["maria@example.org"]]
    assert len(bodies) == 2  # the honey part and the soap part
    assert any("Η πληρωμή σας με κάρτα, 22,60 €, ελήφθη. Σας ευχαριστούμε!" in b for b in bodies)
    assert not any("Ο φορέας έλαβε την πληρωμή σας" in body for body in bodies)


def test_the_purchase_page_shows_the_refund_of_a_cancelled_card_part(
    client, stripe_api, market, django_assert_max_num_queries
):
    paid_by_card(client, stripe_api, market)
    client.force_login(member_of(orders_of(market)[0]))
    cancel_from_dashboard(client, orders_of(market)[0])
    client.logout()
    with translation.override("en"):
        page_url = reverse("checkout:purchase", kwargs={"token": market.token})

    with django_assert_max_num_queries(12):
        html = client.get(page_url).content.decode()

    def part_of(order):
        start = html.index(f'id="order-{order.number}"')
        return html[start : html.index("</article>", start)]

    honey_order, soap_order, _oil_order = orders_of(market)
    assert "€22.60 has been refunded to your card." in part_of(honey_order)
    assert "has been refunded" not in part_of(soap_order)


def test_both_card_parts_cancelled_refund_the_whole_charge(client, stripe_api, market):
    honey_order, soap_order, _oil_order = paid_by_card(client, stripe_api, market)

    change_status(honey_order, OrderStatus.CANCELLED, user=member_of(honey_order))
    change_status(soap_order, OrderStatus.CANCELLED, user=member_of(soap_order))

    assert [r["amount"] for r in stripe_objects(stripe_api, "refund")] == [2260, 831]
    assert sum(r["amount"] for r in stripe_objects(stripe_api, "refund")) == 3091
    assert [
        (r["transfer"], r["amount"]) for r in stripe_objects(stripe_api, "transfer_reversal")
    ] == [
        ("tr_1", 2034),
        ("tr_2", 748),
    ]


def test_refused_refund_leaves_the_order_paid_and_a_second_try_refunds_once(
    client, stripe_api, market, mailoutbox, django_capture_on_commit_callbacks
):
    honey_order, _soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    mailoutbox.clear()
    stock = StockRecord.objects.get(product__title="Μέλι")
    allocated = stock.num_allocated
    stripe_api.refusals["refunds"] = ("charge_disputed", "Charge ch_1 has been disputed.")
    client.force_login(member_of(honey_order))

    with django_capture_on_commit_callbacks(execute=True):
        response = cancel_from_dashboard(client, honey_order)

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Order {honey_order.number} has not been cancelled: Stripe refused to refund its "
        "card payment (charge_disputed). Please contact the platform team."
    ]
    honey_order = orders_of(market)[0]
    assert honey_order.status == OrderStatus.PAID
    assert StockRecord.objects.get(pk=stock.pk).num_allocated == allocated
    assert payment_events(honey_order) == []
    assert stripe_api.requests_to("POST", "/v1/transfers/*") == []
    assert stripe_objects(stripe_api, "refund") == []
    assert mailoutbox == []

    # Stripe keeps its refusal as the answer to the key: the second try, once Stripe
    # would refund, looks for a refund of the order and then asks with a key of its own.
    del stripe_api.refusals["refunds"]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_from_dashboard(client, honey_order)

    honey_order = orders_of(market)[0]
    assert honey_order.status == OrderStatus.CANCELLED
    attempts = stripe_api.requests_to("POST", "/v1/refunds")
    assert [(a.idempotency_key.split("-retry-")[0], a.replayed) for a in attempts] == [
        (f"refund-{honey_order.number}", False),
        (f"refund-{honey_order.number}", True),
        (f"refund-{honey_order.number}", False),
    ]
    assert "-retry-" in attempts[2].idempotency_key
    assert len(stripe_api.requests_to("GET", "/v1/refunds")) == 1
    assert [r["amount"] for r in stripe_objects(stripe_api, "refund")] == [2260]
    assert payment_events(honey_order) == [
        ("Refunded", Decimal("22.60"), "re_1"),
        ("Transfer reversed", Decimal("20.34"), "trr_1"),
    ]
    assert len(mailoutbox) == 1


def test_refund_whose_answer_was_lost_is_found_not_made_twice(client, stripe_api, market):
    honey_order, _soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    # The refund was made, but the transaction that recorded it failed afterwards.
    stripe_payments.stripe_client().v1.refunds.create(
        {
            "payment_intent": "pi_1",
            "amount": 2260,
            "metadata": {
                "order": honey_order.number,
                "purchase": market.number,
                "reason": "order cancelled by the organisation",
            },
        },
        {"idempotency_key": f"refund-{honey_order.number}"},
    )

    change_status(honey_order, OrderStatus.CANCELLED, user=member_of(honey_order))

    assert orders_of(market)[0].status == OrderStatus.CANCELLED
    assert [r["amount"] for r in stripe_objects(stripe_api, "refund")] == [2260]
    assert payment_events(orders_of(market)[0])[0] == ("Refunded", Decimal("22.60"), "re_1")


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_stripe_leaves_the_order_paid(client, stripe_api, market, settings):
    honey_order, _soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port()}"

    with pytest.raises(stripe_payments.CardRefundFailed) as refused:
        change_status(honey_order, OrderStatus.CANCELLED, user=member_of(honey_order))

    assert str(refused.value) == (
        f"Η παραγγελία {honey_order.number} δεν ακυρώθηκε: η πληρωμή της με κάρτα δεν μπόρεσε "
        "να επιστραφεί, γιατί η Stripe δεν είναι διαθέσιμη αυτή τη στιγμή. Δοκιμάστε ξανά σε "
        "λίγα λεπτά."
    )
    honey_order = orders_of(market)[0]
    assert honey_order.status == OrderStatus.PAID
    assert payment_events(honey_order) == []
    assert stripe_objects(stripe_api, "refund") == []


def test_refused_reversal_still_cancels_and_is_tried_again(client, stripe_api, market):
    honey_order, _soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    stripe_api.refusals["reversals"] = ("balance_insufficient", "Insufficient funds.")

    change_status(honey_order, OrderStatus.CANCELLED, user=member_of(honey_order))

    honey_order = orders_of(market)[0]
    assert honey_order.status == OrderStatus.CANCELLED
    assert payment_events(honey_order) == [("Refunded", Decimal("22.60"), "re_1")]
    assert list(stripe_payments.pending_reversals()) == [honey_order]
    assert stripe_payments.retry_pending_reversals() == 0  # still refused

    del stripe_api.refusals["reversals"]
    assert tasks.retry_pending_transfers.delay().get() == {"transfers": 0, "reversals": 1}

    assert payment_events(orders_of(market)[0])[1] == (
        "Transfer reversed",
        Decimal("20.34"),
        "trr_1",
    )
    attempts = stripe_api.requests_to("POST", "/v1/transfers/tr_1/reversals")
    assert [a.params["amount"] for a in attempts] == ["2034"] * 3
    assert attempts[0].idempotency_key == f"reversal-{honey_order.number}"
    assert all("-retry-" in a.idempotency_key for a in attempts[1:])
    assert [r["amount"] for r in stripe_objects(stripe_api, "transfer_reversal")] == [2034]
    assert list(stripe_payments.pending_reversals()) == []
    assert stripe_payments.retry_pending_reversals() == 0
    assert len(stripe_objects(stripe_api, "refund")) == 1


def test_cancelled_order_whose_transfer_failed_is_refunded_and_never_transferred(
    client, stripe_api, market
):
    stripe_api.restricted_accounts.add("acct_soap")
    _honey_order, soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    assert soap_order.stripe_transfer_id == ""

    change_status(soap_order, OrderStatus.CANCELLED, user=member_of(soap_order))
    stripe_api.restricted_accounts.clear()

    assert stripe_payments.retry_pending_transfers() == 0
    stripe_payments.sync_card_payment(market)
    signed_webhook(
        client, event("evt_again", "payment_intent.succeeded", stripe_api.object("pi_1"))
    )
    soap_order = orders_of(market)[1]
    assert soap_order.status == OrderStatus.CANCELLED
    assert soap_order.stripe_transfer_id == ""
    assert [r["amount"] for r in stripe_objects(stripe_api, "refund")] == [831]
    assert [t["destination"] for t in stripe_objects(stripe_api, "transfer")] == ["acct_honey"]
    assert stripe_api.requests_to("POST", "/v1/transfers/*") == []
    assert payment_events(soap_order) == [("Refunded", Decimal("8.31"), "re_1")]


def test_transfer_made_without_its_id_reaching_us_is_reversed_on_cancel(client, stripe_api, market):
    honey_order, _soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    market.orders.filter(pk=honey_order.pk).update(stripe_transfer_id="")

    change_status(orders_of(market)[0], OrderStatus.CANCELLED, user=member_of(honey_order))

    (reversal,) = stripe_api.requests_to("POST", "/v1/transfers/tr_1/reversals")
    assert reversal.params["amount"] == "2034"
    assert orders_of(market)[0].stripe_transfer_id == "tr_1"


def test_member_of_another_organisation_cannot_cancel_or_refund(client, stripe_api, market):
    honey_order, soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    requests_before = len(stripe_api.requests)
    client.force_login(member_of(soap_order))

    response = cancel_from_dashboard(client, honey_order)

    assert response.status_code == 404
    assert orders_of(market)[0].status == OrderStatus.PAID
    assert len(stripe_api.requests) == requests_before
    assert PaymentEvent.objects.count() == 0


def test_replayed_refund_webhooks_change_nothing(client, stripe_api, market):
    honey_order, _soap_order, _oil_order = paid_by_card(client, stripe_api, market)
    change_status(honey_order, OrderStatus.CANCELLED, user=member_of(honey_order))
    requests_before = len(stripe_api.requests)
    charge = {**stripe_api.object("ch_1"), "amount_refunded": 2260, "refunded": False}
    refunded = event("evt_refund", "charge.refunded", charge)

    assert signed_webhook(client, refunded).status_code == 200
    assert signed_webhook(client, refunded).status_code == 200
    assert (
        signed_webhook(
            client, event("evt_paid", "payment_intent.succeeded", stripe_api.object("pi_1"))
        ).status_code
        == 200
    )

    assert len(stripe_api.requests) == requests_before
    assert [o.status for o in orders_of(market)] == [
        OrderStatus.CANCELLED,
        OrderStatus.PAID,
        OrderStatus.NEW,
    ]
    assert payment_events(orders_of(market)[0]) == [
        ("Refunded", Decimal("22.60"), "re_1"),
        ("Transfer reversed", Decimal("20.34"), "trr_1"),
    ]
    assert PaymentProviderEvent.objects.filter(event_type="charge.refunded").count() == 1


# Without Stripe -----------------------------------------------------------------------


def test_without_stripe_keys_card_is_not_offered(settings):
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_ENABLED = False
    organisation = card_organisation("Α Μελισσοκόμοι Κρήτης", "acct_honey")
    product = create_offered_product(organisation=organisation)

    (group,) = group_basket(basket_with((product, 1)))

    assert [method for method, _label in group.payment_methods()] == ["cash"]


def test_without_stripe_keys_the_pay_page_redirects(client, stripe_api, market, settings):
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_ENABLED = False

    response = client.get(pay_url(market))

    assert response.status_code == 302
    assert response["Location"] == market.get_absolute_url()
    assert stripe_api.requests == []
    assert Purchase.objects.get(pk=market.pk).stripe_payment_intent_id == ""


def test_with_stripe_keys_card_is_offered_by_connected_organisations(stripe_api):
    connected = card_organisation("Α Μελισσοκόμοι Κρήτης", "acct_honey")
    onboarding = OrganisationFactory(
        name="Β Υπό ένταξη", stripe_account_id="acct_new", stripe_charges_enabled=False
    )
    basket = basket_with(
        (create_offered_product(organisation=connected), 1),
        (create_offered_product(organisation=onboarding), 1),
    )

    first, second = group_basket(basket)

    assert [method for method, _label in first.payment_methods()] == ["cash", "card"]
    assert [method for method, _label in second.payment_methods()] == ["cash"]


# Stripe Connect onboarding -------------------------------------------------------------


def test_connect_by_a_non_member_is_404(client, stripe_api):
    organisation = OrganisationFactory(contact_email="info@example.org")
    client.force_login(UserFactory())

    response = client.post(reverse("organisations:stripe", kwargs={"slug": organisation.code}))

    assert response.status_code == 404
    assert stripe_api.requests == []
    organisation.refresh_from_db()
    assert organisation.stripe_account_id == ""


def test_connect_by_a_member_creates_the_account_and_sends_to_onboarding(client, stripe_api):
    organisation = OrganisationFactory(contact_email="info@example.org")
    client.force_login(create_member(organisation))

    response = client.post(reverse("organisations:stripe", kwargs={"slug": organisation.code}))

    assert response.status_code == 302
    assert response["Location"] == "https://connect.stripe.test/setup/e/acct_1/1"
    organisation.refresh_from_db()
    assert organisation.stripe_account_id == "acct_1"
    assert not organisation.accepts_card
    (created,) = stripe_api.requests_to("POST", "/v1/accounts")
    assert created.params["type"] == "express"
    assert created.params["country"] == "GR"
    assert created.params["email"] == "info@example.org"
    assert created.params["capabilities[card_payments][requested]"] == "true"
    assert created.params["capabilities[transfers][requested]"] == "true"
    (link,) = stripe_api.requests_to("POST", "/v1/account_links")
    back = "http://testserver" + reverse(
        "organisations:stripe-return", kwargs={"slug": organisation.code}
    )
    assert link.params == {
        "account": "acct_1",
        "refresh_url": back,
        "return_url": back,
        "type": "account_onboarding",
    }

    # Again (the link expired): the same account, a new link.
    response = client.post(reverse("organisations:stripe", kwargs={"slug": organisation.code}))

    assert response["Location"] == "https://connect.stripe.test/setup/e/acct_1/2"
    assert len(stripe_api.requests_to("POST", "/v1/accounts")) == 1


def test_connect_by_an_anonymous_visitor_goes_to_login(client, stripe_api):
    organisation = OrganisationFactory()

    response = client.post(reverse("organisations:stripe", kwargs={"slug": organisation.code}))

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert stripe_api.requests == []


def test_connect_refuses_get(client, stripe_api):
    organisation = OrganisationFactory()
    client.force_login(create_member(organisation))

    response = client.get(reverse("organisations:stripe", kwargs={"slug": organisation.code}))

    assert response.status_code == 405
    assert stripe_api.requests == []


def test_connect_return_refreshes_the_account_status(client, stripe_api):
    organisation = OrganisationFactory(contact_email="info@example.org")
    client.force_login(create_member(organisation))
    client.post(reverse("organisations:stripe", kwargs={"slug": organisation.code}))
    stripe_api.update_account(
        "acct_1", charges_enabled=True, payouts_enabled=True, details_submitted=True
    )

    response = client.get(
        reverse("organisations:stripe-return", kwargs={"slug": organisation.code})
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "organisations:selling", kwargs={"slug": organisation.code}
    )
    organisation.refresh_from_db()
    assert organisation.stripe_charges_enabled
    assert organisation.stripe_payouts_enabled
    assert organisation.accepts_card
    assert len(messages_of(response)) == 1


def test_connect_return_by_a_non_member_is_404(client, stripe_api):
    organisation = OrganisationFactory(stripe_account_id="acct_x")
    client.force_login(UserFactory())

    response = client.get(
        reverse("organisations:stripe-return", kwargs={"slug": organisation.code})
    )

    assert response.status_code == 404
    assert stripe_api.requests == []
