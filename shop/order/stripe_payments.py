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
from oscar.core.loading import get_model

from shop.order.models import OrderStatus, PaymentMethod, PaymentProviderEvent, Purchase
from shop.order.services import cents, mark_paid

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")

PROVIDER = "stripe"
CURRENCY = "eur"
# A PaymentIntent in one of these states has not been paid and may still be changed.
WAITING_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")
REFUNDED_EVENT_NAME = "Refunded"


class CardPaymentUnavailable(Exception):
    """A card payment cannot start now; the message says why, for the consumer."""


class NothingToPay(CardPaymentUnavailable):
    """Every card part of the purchase is paid or cancelled."""


class InvalidWebhook(Exception):
    """The webhook's signature or payload is not valid."""


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
        if not order.stripe_transfer_id and order.status != OrderStatus.CANCELLED:
            _transfer_part(client, order, charge_id)
    return True


def _transfer_part(client, order, charge_id, idempotency_key=None):
    """Send the order's money, less the platform contribution, to its organisation."""
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


def _refund_part(client, order, payment_intent):
    event_type, _created = PaymentEventType.objects.get_or_create(name=REFUNDED_EVENT_NAME)
    if PaymentEvent.objects.filter(order=order, event_type=event_type).exists():
        return
    try:
        refund = client.v1.refunds.create(
            {
                "payment_intent": payment_intent.id,
                "amount": amount_in_cents(order.total_incl_tax),
                "metadata": {"order": order.number, "reason": "order cancelled before payment"},
            },
            {"idempotency_key": f"refund-{order.number}"},
        )
    except stripe.StripeError:
        logger.exception("Stripe refund for cancelled order %s failed.", order.number)
        return
    PaymentEvent.objects.create(
        order=order, amount=order.total_incl_tax, reference=refund.id, event_type=event_type
    )
    logger.info("Order %s was cancelled before its card payment arrived: refunded.", order.number)


def retry_pending_transfers():
    """Transfer the money of card orders that are paid but whose transfer failed (Stripe
    unreachable, the organisation's account restricted for a while). Returns how many
    orders now have their transfer.

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
                if order.stripe_transfer_id:
                    continue
                existing = _existing_transfer(client, order)
                if existing is not None:
                    _keep_transfer(order, existing.id, platform_contribution(order))
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
