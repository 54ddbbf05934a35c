"""Card payments of the social market through Stripe, with Stripe Connect.

Design: "separate charges and transfers". A consumer's Purchase may hold parts of several
organisations; the parts paid by card are charged together, by one PaymentIntent on the
platform's Stripe account, and the money then goes to each organisation. Why: the
consumer confirms one payment (one card form, one 3-D Secure check) however many
organisations are in the basket, while a destination charge can pay only one account and
one payment per organisation would ask the consumer to pay several times. The charge is the
platform's, so the platform refunds and answers disputes; the transfer group ties the
transfers to the charge in Stripe's reports.


* ``start_card_payment`` creates the Purchase's PaymentIntent for the total of its card
  parts that are still to be paid (orders with payment method "card", not cancelled, not
  paid), in euro cents, with the Purchase's ``transfer_group`` and, in its metadata, the
  purchase number and the numbers of the orders it pays. The consumer pays in the browser
  with Stripe.js's Payment Element: card data goes from the browser to Stripe and never
  touches our server. A PaymentIntent still waiting for payment is reused (its amount is
  updated if a part has meanwhile been cancelled), so a purchase is charged once.
* When Stripe confirms the payment (the ``payment_intent.succeeded`` webhook, or the
  consumer's return to our site, whichever comes first), ``handle_payment_intent_succeeded``
  marks each card order paid and sends one Transfer per order to its organisation's
  connected account: the order total less the platform contribution
  (``MARKET_PLATFORM_CONTRIBUTION_PERCENT`` of the order total, rounded to the cent, kept
  on ``order.platform_contribution``), with ``source_transaction`` set to the payment's
  charge so that the transfer waits for the charged funds. Each transfer has its own
  Stripe idempotency key and its id is kept on the order, so an order is never transferred
  twice; an order already paid is not paid again. A transfer that fails does not undo the
  payment: ``retry_pending_transfers`` (run periodically) tries it again.
* A payment that arrives for a part already cancelled (its payment deadline passed and its
  stock went back) does not re-open it: that part's amount is refunded to the consumer.
* An organisation that cancels a card order already paid gives the consumer their money
  back: ``refund_cancelled_order`` (called by ``shop.order.services.change_status``)
  refunds the order's total from the platform's charge and reverses the organisation's
  transfer; see its docstring for who pays what, and for what happens when Stripe fails.
  A cancelled order is never transferred.

The card money of each order is recorded the Oscar way: a payment Source of type "Stripe"
debited with the order's total when it is paid and refunded when it is refunded, and
PaymentEvents "Refunded" (to the consumer) and "Transfer reversed" (by the organisation).

Webhooks are verified with the signing secret by the Stripe library and recorded in
``PaymentProviderEvent`` in the same transaction as their processing, so a replayed event
changes nothing. Organisations onboard their own Express connected account through Stripe's
hosted Account Links; ``account.updated`` keeps whether it can take payments up to date.
"""

import logging
import uuid
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from shop.order import notifications
from shop.order.models import (
    REFUNDED_EVENT_NAME,
    TRANSFER_REVERSED_EVENT_NAME,
    OrderStatus,
    PaymentMethod,
    PaymentProviderEvent,
    Purchase,
)
from shop.order.services import StatusChangeError, cents, mark_paid

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
EventHandler = get_class("order.processing", "EventHandler")

PROVIDER = "stripe"
CURRENCY = "eur"
# A PaymentIntent in one of these states has not been paid and may still be changed.
WAITING_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")
SOURCE_TYPE_NAME = "Stripe"
# A refund or reversal in one of these states has given, or is giving, the money back.
LIVE_REFUND_STATUSES = ("succeeded", "pending", "requires_action")


class CardPaymentUnavailable(Exception):
    """A card payment cannot start now; the message says why, for the consumer."""


class NothingToPay(CardPaymentUnavailable):
    """Every card part of the purchase is paid or cancelled."""


class InvalidWebhook(Exception):
    """The webhook's signature or payload is not valid."""


class CardRefundFailed(StatusChangeError):
    """Stripe did not refund a card order being cancelled, so it stays as it was; the
    message says why, for the organisation."""


def is_enabled():
    return bool(settings.STRIPE_ENABLED and settings.STRIPE_SECRET_KEY)


def stripe_client():
    """A client of Stripe's API with the platform's secret key; ``STRIPE_API_BASE``
    points it elsewhere (a test double)."""
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set.")
    base_addresses = None
    if settings.STRIPE_API_BASE:
        base_addresses = {"api": settings.STRIPE_API_BASE, "connect": settings.STRIPE_API_BASE}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses=base_addresses, max_network_retries=2
    )


def amount_in_cents(amount):
    return int(cents(amount) * 100)


def platform_contribution(order):
    percent = Decimal(settings.MARKET_PLATFORM_CONTRIBUTION_PERCENT)
    return cents(order.total_incl_tax * percent / 100)


def card_parts_to_pay(purchase):
    """The purchase's card-paid orders still waiting for their payment."""
    return list(
        purchase.orders.filter(payment_method=PaymentMethod.CARD, paid_at__isnull=True)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("organisation")
        .order_by("number")
    )


def _id_of(value):
    """The id of an expandable field: Stripe sends either the id or the object."""
    if value is None or isinstance(value, str):
        return value
    return getattr(value, "id", None)


def _metadata(obj):
    metadata = getattr(obj, "metadata", None)
    return metadata.to_dict() if metadata is not None else {}


# Paying -------------------------------------------------------------------------------


def start_card_payment(purchase):
    """The PaymentIntent the consumer pays the purchase's card parts with.

    The purchase's PaymentIntent is reused while it still waits for payment (with its
    amount brought up to date); otherwise a new one is created and kept on the purchase.
    Raises NothingToPay when no card part is left to pay, CardPaymentUnavailable when a
    payment is already being processed, and Stripe's errors when Stripe cannot be reached.
    """
    client = stripe_client()
    with transaction.atomic():
        # One consumer, two browser tabs: the lock makes the second reuse the first's intent.
        purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if purchase.stripe_payment_intent_id:
            intent = client.v1.payment_intents.retrieve(purchase.stripe_payment_intent_id)
            if intent.status == "succeeded":
                # Paid, but not yet recorded (the webhook has not arrived yet).
                handle_payment_intent_succeeded(intent, client=client)
            elif intent.status == "processing":
                raise CardPaymentUnavailable(
                    _(
                        "Your card payment is being processed. This page will show it "
                        "as paid as soon as your bank confirms it."
                    )
                )
        parts = card_parts_to_pay(purchase)
        if not parts:
            raise NothingToPay(_("There is nothing left to pay by card for this purchase."))
        amount = sum(amount_in_cents(order.total_incl_tax) for order in parts)
        metadata = {
            "purchase": purchase.number,
            "orders": ",".join(order.number for order in parts),
        }
        if purchase.stripe_payment_intent_id and intent.status in WAITING_STATUSES:
            if intent.amount == amount and _metadata(intent).get("orders") == metadata["orders"]:
                return intent
            return client.v1.payment_intents.update(
                intent.id, {"amount": amount, "metadata": metadata}
            )
        intent = client.v1.payment_intents.create(
            {
                "amount": amount,
                "currency": CURRENCY,
                "automatic_payment_methods": {"enabled": True},
                "transfer_group": purchase.transfer_group,
                "description": f"Purchase {purchase.number}",
                "metadata": metadata,
            }
        )
        purchase.stripe_payment_intent_id = intent.id
        purchase.save(update_fields=["stripe_payment_intent_id"])
    return intent


def sync_card_payment(purchase):
    """Ask Stripe how the purchase's card payment stands and record it if it succeeded
    (the consumer's return from the payment may come before the webhook). Returns the
    PaymentIntent's status, or None when the purchase has none."""
    if not purchase.stripe_payment_intent_id:
        return None
    client = stripe_client()
    intent = client.v1.payment_intents.retrieve(purchase.stripe_payment_intent_id)
    if intent.status == "succeeded":
        handle_payment_intent_succeeded(intent, client=client)
    return intent.status


def _purchase_paid_by(payment_intent):
    purchase = Purchase.objects.filter(stripe_payment_intent_id=payment_intent.id).first()
    if purchase is None:
        number = _metadata(payment_intent).get("purchase")
        if number:
            purchase = Purchase.objects.filter(number=number).first()
    return purchase


def handle_payment_intent_succeeded(payment_intent, *, client=None):
    """Record a succeeded PaymentIntent: each card order it paid is marked paid and its
    money transferred to its organisation (or refunded if the order was cancelled).

    Safe to call any number of times for the same payment: an order already paid is not
    paid again, an order with a transfer is not transferred again, a refunded order is not
    refunded again. Returns the orders that are paid.
    """
    if payment_intent.status != "succeeded":
        return []
    purchase = _purchase_paid_by(payment_intent)
    if purchase is None:
        logger.warning("Stripe PaymentIntent %s matches no purchase.", payment_intent.id)
        return []
    orders = purchase.orders.filter(payment_method=PaymentMethod.CARD).order_by("number")
    numbers = [
        number for number in _metadata(payment_intent).get("orders", "").split(",") if number
    ]
    if numbers:
        orders = orders.filter(number__in=numbers)
    orders = list(orders)
    expected = sum(amount_in_cents(order.total_incl_tax) for order in orders)
    received = getattr(payment_intent, "amount_received", None) or payment_intent.amount
    if payment_intent.currency != CURRENCY or received != expected:
        logger.error(
            "Stripe PaymentIntent %s received %s %s for purchase %s, whose card parts "
            "cost %s cents; nothing was recorded.",
            payment_intent.id,
            received,
            payment_intent.currency,
            purchase.number,
            expected,
        )
        return []
    client = client or stripe_client()
    charge_id = _id_of(getattr(payment_intent, "latest_charge", None))
    paid = []
    for order in orders:
        if _settle_order(client, order, payment_intent, charge_id):
            paid.append(order)
    return paid


def _settle_order(client, order, payment_intent, charge_id):
    """Mark one card order paid and transfer its money, or refund it if it was
    cancelled meanwhile. Returns whether the order is paid."""
    with transaction.atomic():
        # The lock orders this with the expiry of unpaid orders and with a second
        # notification of the same payment: each sees what the other did.
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.paid_at is None and order.status == OrderStatus.CANCELLED:
            _refund_part(client, order, payment_intent)
            return False
        if order.paid_at is None:
            order = mark_paid(order)
            _card_source(order, reference=payment_intent.id, charge_id=charge_id)
        if not order.stripe_transfer_id and order.status != OrderStatus.CANCELLED:
            _transfer_part(client, order, charge_id)
    return True


def _transfer_part(client, order, charge_id, idempotency_key=None):
    """Send the order's money, less the platform contribution, to its organisation;
    never for a cancelled order (its money goes back to the consumer)."""
    if order.status == OrderStatus.CANCELLED:
        return
    organisation = Partner.objects.get(pk=order.organisation_id)
    if not organisation.stripe_account_id:
        logger.error(
            "Order %s is paid by card but %s has no Stripe account to transfer to.",
            order.number,
            organisation,
        )
        return
    contribution = platform_contribution(order)
    amount = amount_in_cents(order.total_incl_tax - contribution)
    if amount <= 0:
        return
    params = {
        "amount": amount,
        "currency": CURRENCY,
        "destination": organisation.stripe_account_id,
        "transfer_group": order.purchase.transfer_group,
        "description": f"Order {order.number}",
        "metadata": {"order": order.number, "purchase": order.purchase.number},
    }
    if charge_id:
        params["source_transaction"] = charge_id
    try:
        transfer = client.v1.transfers.create(
            params, {"idempotency_key": idempotency_key or f"transfer-{order.number}"}
        )
    except stripe.StripeError:
        # The payment stays recorded; retry_pending_transfers tries again later.
        logger.exception("Stripe transfer for order %s failed.", order.number)
        return
    _keep_transfer(order, transfer.id, contribution)


def _keep_transfer(order, transfer_id, contribution):
    Order.objects.filter(pk=order.pk).update(
        stripe_transfer_id=transfer_id, platform_contribution=contribution
    )
    order.stripe_transfer_id = transfer_id
    order.platform_contribution = contribution


def _keep_found_transfer(order, transfer):
    """Keep a transfer of the order found in Stripe; what the platform kept is what the
    transfer did not carry, whatever the contribution percentage is today."""
    _keep_transfer(order, transfer.id, order.total_incl_tax - Decimal(transfer.amount) / 100)


def _replayed(error):
    """Whether Stripe answered with the stored first answer to our idempotency key."""
    return (getattr(error, "headers", None) or {}).get("idempotent-replayed") == "true"


def _payment_event(order, name, amount, reference, *, lines=True):
    """Oscar's payment event of the order: its type by name, with every line of the
    order and its whole quantity when ``lines``."""
    event_type, _created = PaymentEventType.objects.get_or_create(name=name)
    order_lines = list(order.lines.order_by("pk")) if lines else []
    return EventHandler().create_payment_event(
        order,
        event_type,
        amount,
        order_lines,
        [line.quantity for line in order_lines],
        reference=reference,
    )


def _has_event(order, name):
    return order.payment_events.filter(event_type__name=name).exists()


def _card_source(order, *, reference="", charge_id=""):
    """The order's Stripe payment Source, debited with the order's total: made when the
    card payment is recorded (or, for an order paid before sources were kept, when it is
    refunded)."""
    source = Source.objects.filter(order=order, source_type__name=SOURCE_TYPE_NAME).first()
    if source is not None:
        return source
    source_type, _created = SourceType.objects.get_or_create(name=SOURCE_TYPE_NAME)
    source = Source.objects.create(
        order=order,
        source_type=source_type,
        currency=order.currency,
        amount_allocated=order.total_incl_tax,
        reference=reference,
    )
    source.debit(order.total_incl_tax, reference=charge_id or reference, status="succeeded")
    return source


def _create_refund(client, order, payment_intent_id, reason):
    """Stripe's refund of the order's total from the purchase's charge, asked once per
    order: the key "refund-<order number>" makes a repeated request (a second click, a
    commit that failed after the refund) answer with the same refund. Stripe also keeps a
    refusal as the answer to that key; then a refund of the order made meanwhile is
    looked for, and otherwise asked for again with a key of its own."""
    params = {
        "payment_intent": payment_intent_id,
        "amount": amount_in_cents(order.total_incl_tax),
        "metadata": {"order": order.number, "purchase": order.purchase.number, "reason": reason},
    }
    try:
        return client.v1.refunds.create(params, {"idempotency_key": f"refund-{order.number}"})
    except stripe.StripeError as error:
        if not _replayed(error):
            raise
    refunds = client.v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100})
    for refund in refunds.auto_paging_iter():
        if _metadata(refund).get("order") == order.number and refund.status in (
            LIVE_REFUND_STATUSES
        ):
            return refund
    return client.v1.refunds.create(
        params, {"idempotency_key": f"refund-{order.number}-retry-{uuid.uuid4().hex}"}
    )


def _record_refund(order, refund, payment_intent_id):
    """The refund on the order: its Stripe source refunded and a "Refunded" event."""
    amount = Decimal(refund.amount) / 100
    _card_source(order, reference=payment_intent_id).refund(
        amount, reference=refund.id, status=refund.status or ""
    )
    _payment_event(order, REFUNDED_EVENT_NAME, amount, refund.id)


def _refund_part(client, order, payment_intent):
    """Refund a payment that arrived for an order already cancelled (unpaid, its
    deadline passed); the order stays cancelled."""
    if _has_event(order, REFUNDED_EVENT_NAME):
        return
    try:
        refund = _create_refund(
            client, order, payment_intent.id, reason="order cancelled before payment"
        )
    except stripe.StripeError:
        logger.exception("Stripe refund for cancelled order %s failed.", order.number)
        return
    _record_refund(order, refund, payment_intent.id)
    logger.info("Order %s was cancelled before its card payment arrived: refunded.", order.number)
    order_id = order.pk
    transaction.on_commit(lambda: notifications.late_payment_refunded(order_id))


# Cancelling a paid card order ---------------------------------------------------------


def refund_cancelled_order(order):
    """Give back the card payment of ``order``, a paid card order being cancelled;
    called by ``change_status`` with the order locked, before it is cancelled.

    Who pays what. The consumer paid the order's total T in the purchase's one charge, on
    the platform's account; the organisation then received a transfer of T − C, and the
    platform kept C, its contribution (MARKET_PLATFORM_CONTRIBUTION_PERCENT of T). On
    cancelling:

    * the consumer gets exactly T back: a Stripe Refund of T on the purchase's
      PaymentIntent (partial when the purchase paid other card orders, which stay paid),
      with the order in its metadata and the idempotency key "refund-<order number>";
    * the organisation gives back exactly what it received: a Transfer Reversal of the
      whole transfer, T − C (key "reversal-<order number>");
    * the platform gives back C, the contribution it kept: T = (T − C) + C.

    So each pays back what it received, once: reversing T would take from the
    organisation a C it never had, and reversing nothing would make the platform pay the
    organisation's share out of its own pocket. Stripe's processing fee of the charge is
    not given back by Stripe on a refund; it remains the platform's cost. An order whose
    transfer was not made yet (it failed and waits for ``retry_pending_transfers``) has
    nothing to reverse, and a cancelled order is never transferred (``_transfer_part`` and
    its retry skip cancelled orders). A transfer that was made without its id reaching us
    is looked for first, so that it is reversed too.

    When Stripe fails. The refund comes first and is the condition of the cancellation:
    if Stripe refuses it, cannot be reached or is not configured, CardRefundFailed is
    raised, ``change_status``'s transaction is rolled back and the order stays as it was
    (paid, its stock reserved, no e-mail): a consumer is never told "cancelled" while
    their money has not moved, and the organisation, told why on its dashboard, can try
    again (the idempotency key makes that safe) or keep and fulfil the order. Once the
    refund is made, the order is cancelled whatever the reversal does: a reversal that
    fails is between the platform and the organisation, is logged and is tried again by
    ``retry_pending_reversals`` (the "market-retry-pending-transfers" task).

    Safe to call again for an order already refunded: nothing is asked twice.
    """
    purchase = order.purchase
    if purchase is None or not purchase.stripe_payment_intent_id:
        logger.error("Paid card order %s has no PaymentIntent to refund.", order.number)
        raise CardRefundFailed(_refused_message(order))
    payment_intent_id = purchase.stripe_payment_intent_id
    try:
        client = stripe_client()
    except ImproperlyConfigured as error:
        logger.error("Card order %s cannot be refunded: %s", order.number, error)
        raise CardRefundFailed(_refused_message(order)) from error
    try:
        if not order.stripe_transfer_id:
            existing = _existing_transfer(client, order)
            if existing is not None:
                _keep_found_transfer(order, existing)
        if not _has_event(order, REFUNDED_EVENT_NAME):
            refund = _create_refund(
                client, order, payment_intent_id, reason="order cancelled by the organisation"
            )
            _record_refund(order, refund, payment_intent_id)
    except stripe.APIConnectionError as error:
        logger.warning("Stripe could not be reached to refund order %s: %s", order.number, error)
        raise CardRefundFailed(
            _(
                "Order %(number)s has not been cancelled: its card payment could not be "
                "refunded, because Stripe cannot be reached right now. Please try again in "
                "a few minutes."
            )
            % {"number": order.number}
        ) from error
    except stripe.StripeError as error:
        logger.error("Stripe refused to refund order %s: %s", order.number, error)
        raise CardRefundFailed(_refused_message(order, error)) from error
    if order.stripe_transfer_id and not _has_event(order, TRANSFER_REVERSED_EVENT_NAME):
        try:
            _reverse_transfer(client, order, f"reversal-{order.number}")
        except stripe.StripeError:
            logger.exception(
                "Stripe did not reverse the transfer of cancelled order %s; it will be "
                "tried again.",
                order.number,
            )


def _refused_message(order, error=None):
    if error is None:
        return _(
            "Order %(number)s has not been cancelled: card refunds are not available on "
            "this site right now. Please contact the platform team."
        ) % {"number": order.number}
    return _(
        "Order %(number)s has not been cancelled: Stripe refused to refund its card "
        "payment (%(reason)s). Please contact the platform team."
    ) % {"number": order.number, "reason": getattr(error, "code", None) or "stripe_error"}


def _reverse_transfer(client, order, idempotency_key):
    """Take back from the organisation the whole transfer of the cancelled order."""
    amount = amount_in_cents(order.total_incl_tax - order.platform_contribution)
    reversal = client.v1.transfers.reversals.create(
        order.stripe_transfer_id,
        {
            "amount": amount,
            "description": f"Order {order.number} cancelled",
            "metadata": {"order": order.number, "purchase": order.purchase.number},
        },
        {"idempotency_key": idempotency_key},
    )
    _record_reversal(order, reversal)
    return reversal


def _record_reversal(order, reversal):
    _payment_event(
        order,
        TRANSFER_REVERSED_EVENT_NAME,
        Decimal(reversal.amount) / 100,
        reversal.id,
        lines=False,
    )


def pending_reversals():
    """Cancelled card orders refunded to the consumer whose transfer to the organisation
    has not been reversed yet."""
    return (
        Order.objects.filter(
            payment_method=PaymentMethod.CARD,
            status=OrderStatus.CANCELLED,
            payment_events__event_type__name=REFUNDED_EVENT_NAME,
        )
        .exclude(stripe_transfer_id="")
        .exclude(payment_events__event_type__name=TRANSFER_REVERSED_EVENT_NAME)
        .select_related("purchase")
        .distinct()
        .order_by("pk")
    )


def retry_pending_reversals():
    """Reverse the transfers of refunded cancelled orders whose reversal failed. Like
    ``retry_pending_transfers``, a reversal made without its id reaching us is looked for
    before a new one is asked for with a key of its own. Returns how many were reversed."""
    if not is_enabled():
        return 0
    client = stripe_client()
    done = 0
    for order in pending_reversals():
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update().get(pk=order.pk)
                if _has_event(order, TRANSFER_REVERSED_EVENT_NAME):
                    continue
                existing = _existing_reversal(client, order)
                if existing is not None:
                    _record_reversal(order, existing)
                else:
                    _reverse_transfer(
                        client, order, f"reversal-{order.number}-retry-{uuid.uuid4().hex}"
                    )
        except stripe.StripeError:
            logger.exception("Stripe did not reverse the transfer of order %s.", order.number)
            continue
        done += 1
    return done


def _existing_reversal(client, order):
    reversals = client.v1.transfers.reversals.list(order.stripe_transfer_id, {"limit": 100})
    for reversal in reversals.auto_paging_iter():
        if _metadata(reversal).get("order") == order.number:
            return reversal
    return None


# Retrying transfers -------------------------------------------------------------------


def retry_pending_transfers():
    """Transfer the money of card orders that are paid but whose transfer failed (Stripe
    unreachable, the organisation's account restricted for a while). Returns how many
    orders now have their transfer. A cancelled order is never transferred, even if it
    is cancelled while this runs (the status is read again under the order's lock).

    Stripe answers a repeated idempotency key with its first answer, failures included,
    so a retry first looks for a transfer of the order in the purchase's transfer group
    (one may have been made without its id reaching us) and otherwise asks again with a
    key of its own.
    """
    if not is_enabled():
        return 0
    pending = (
        Order.objects.filter(
            payment_method=PaymentMethod.CARD, paid_at__isnull=False, stripe_transfer_id=""
        )
        .exclude(status=OrderStatus.CANCELLED)
        .exclude(purchase__stripe_payment_intent_id="")
        .select_related("purchase")
        .order_by("pk")
    )
    client = stripe_client()
    charges = {}
    done = 0
    for order in pending:
        purchase = order.purchase
        try:
            if purchase.pk not in charges:
                intent = client.v1.payment_intents.retrieve(purchase.stripe_payment_intent_id)
                charges[purchase.pk] = _id_of(getattr(intent, "latest_charge", None))
            with transaction.atomic():
                order = Order.objects.select_for_update().get(pk=order.pk)
                if order.stripe_transfer_id or order.status == OrderStatus.CANCELLED:
                    continue
                existing = _existing_transfer(client, order)
                if existing is not None:
                    _keep_found_transfer(order, existing)
                else:
                    _transfer_part(
                        client,
                        order,
                        charges[purchase.pk],
                        idempotency_key=f"transfer-{order.number}-retry-{uuid.uuid4().hex}",
                    )
        except stripe.StripeError:
            logger.exception("Stripe could not be asked about order %s.", order.number)
            continue
        done += bool(order.stripe_transfer_id)
    return done


def _existing_transfer(client, order):
    transfers = client.v1.transfers.list(
        {"transfer_group": order.purchase.transfer_group, "limit": 100}
    )
    for transfer in transfers.auto_paging_iter():
        if _metadata(transfer).get("order") == order.number:
            return transfer
    return None


# Webhooks -----------------------------------------------------------------------------


def handle_account_updated(account):
    """Keep whether the organisation's connected account can take payments and receive
    payouts."""
    Partner.objects.filter(stripe_account_id=account.id).update(
        stripe_charges_enabled=bool(getattr(account, "charges_enabled", False)),
        stripe_payouts_enabled=bool(getattr(account, "payouts_enabled", False)),
    )


EVENT_HANDLERS = {
    "payment_intent.succeeded": handle_payment_intent_succeeded,
    "account.updated": handle_account_updated,
}


def webhook_secrets():
    """The signing secrets of our webhook endpoints: STRIPE_WEBHOOK_SECRET holds one, or
    several separated by commas (Stripe signs the platform's own events and its connected
    accounts' events, such as ``account.updated``, with each endpoint's own secret)."""
    return [
        secret.strip() for secret in settings.STRIPE_WEBHOOK_SECRET.split(",") if secret.strip()
    ]


def construct_event(payload, signature_header):
    """The event in a webhook delivery, verified by the Stripe library against our
    signing secrets; InvalidWebhook when no secret verifies it or it is not an event."""
    secrets = webhook_secrets()
    if not secrets or not settings.STRIPE_SECRET_KEY:
        raise InvalidWebhook("Stripe webhooks are not configured.")
    client = stripe_client()
    for secret in secrets:
        try:
            event = client.construct_event(payload, signature_header, secret)
        except stripe.SignatureVerificationError as error:
            failure = error
            continue
        except ValueError as error:
            raise InvalidWebhook(f"Bad payload: {error}") from error
        if not getattr(event, "id", None) or not getattr(event, "type", None):
            raise InvalidWebhook("The event has no id or type.")
        return event
    raise InvalidWebhook(f"Bad signature: {failure}")


def process_webhook(payload, signature_header):
    """Verify and process one webhook delivery from Stripe.

    Raises InvalidWebhook, with nothing changed, when the signature or the payload is not
    valid. Returns False for an event already processed (a replay changes nothing), True
    otherwise; event types we do not act on are recorded and otherwise ignored.
    """
    event = construct_event(payload, signature_header)
    with transaction.atomic():
        _event, created = PaymentProviderEvent.objects.get_or_create(
            provider=PROVIDER, event_id=event.id, defaults={"event_type": event.type}
        )
        if not created:
            return False
        handler = EVENT_HANDLERS.get(event.type)
        if handler is not None:
            handler(event.data.object)
    return True


# Stripe Connect onboarding ------------------------------------------------------------


def _apply_account_status(organisation, account):
    organisation.stripe_charges_enabled = bool(getattr(account, "charges_enabled", False))
    organisation.stripe_payouts_enabled = bool(getattr(account, "payouts_enabled", False))
    Partner.objects.filter(pk=organisation.pk).update(
        stripe_charges_enabled=organisation.stripe_charges_enabled,
        stripe_payouts_enabled=organisation.stripe_payouts_enabled,
    )


def create_connected_account(organisation):
    """Give the organisation an Express connected account (Greece, card payments and
    transfers requested), unless it has one. Returns the organisation."""
    client = stripe_client()
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=organisation.pk)
        if locked.stripe_account_id:
            organisation.stripe_account_id = locked.stripe_account_id
            return organisation
        params = {
            "type": "express",
            "country": "GR",
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
            "business_profile": {"name": organisation.name},
            "metadata": {"organisation": str(organisation.pk)},
        }
        if organisation.contact_email:
            params["email"] = organisation.contact_email
        account = client.v1.accounts.create(params)
        Partner.objects.filter(pk=organisation.pk).update(stripe_account_id=account.id)
        organisation.stripe_account_id = account.id
        _apply_account_status(organisation, account)
    return organisation


def account_link(organisation, refresh_url, return_url):
    """The address of Stripe's hosted onboarding for the organisation's account."""
    link = stripe_client().v1.account_links.create(
        {
            "account": organisation.stripe_account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        }
    )
    return link.url


def refresh_account_status(organisation):
    """Ask Stripe whether the organisation's account can take payments; returns the
    account, or None when the organisation has none."""
    if not organisation.stripe_account_id:
        return None
    account = stripe_client().v1.accounts.retrieve(organisation.stripe_account_id)
    _apply_account_status(organisation, account)
    return account
