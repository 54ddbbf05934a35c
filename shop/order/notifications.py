"""E-mails about the social market's purchases and orders.

``purchase_placed`` and ``order_status_changed`` are called by ``shop.order.services``
once its transaction has committed. They queue Celery tasks (run inline without Redis),
and the tasks call the ``send_*`` functions below with ids:

- the consumer's confirmation: every organisation's part, how to pay each one and whom
  to contact, in the consumer's language;
- one notice to each organisation with its own order only, in the organisation's
  language, to its contact e-mail or else to its members;
- an e-mail to the consumer whenever an organisation changes its part's status
  (including the cancellation of an unpaid order whose payment deadline passed); the
  cancellation of a paid order says how the money comes back: refunded to the card (the
  amount, and how long banks take), or returned by the organisation (with its contact).

Dates are shown in Greece's time; amounts as the shop shows them ("12,50 €" in Greek).
"""

import logging
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from shop.order.models import DeliveryMethod, OrderStatus, PaymentMethod, Purchase

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PartnerAddress = get_model("partner", "PartnerAddress")

TEMPLATES = "shop/order/emails/"
MARKET_TIME_ZONE = ZoneInfo("Europe/Athens")
DATE_TIME_FORMAT = "l j E Y, H:i"


# Queueing (called on commit by shop.order.services) -----------------------------------


def purchase_placed(purchase_id):
    """Queue the consumer's confirmation and one notice per organisation of the purchase."""
    from shop.order import tasks

    _queue(tasks.send_purchase_confirmation, purchase_id)
    order_ids = Order.objects.filter(purchase_id=purchase_id).order_by("pk")
    for order_id in order_ids.values_list("pk", flat=True):
        _queue(tasks.send_organisation_order_notice, order_id)


def order_status_changed(order_id, old_status):
    """Queue the e-mail that tells the consumer about the order's new status."""
    from shop.order import tasks

    status = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
    if status is None or status == old_status:
        return
    _queue(tasks.send_order_status_email, order_id, old_status, status)


def late_payment_refunded(order_id):
    """Queue the e-mail that tells the consumer their late card payment was refunded."""
    from shop.order import tasks

    _queue(tasks.send_late_refund_email, order_id)


def _queue(task, *args):
    """Queue (or, without a broker, run) ``task``. The purchase or the status change is
    already committed at this point: a failure to send is logged, never shown to the
    consumer or the organisation as an error of what they did."""
    try:
        task.delay(*args)
    except Exception:
        logger.exception("Could not send %s%r", task.name, args)


# Formatting ---------------------------------------------------------------------------


def money(amount):
    """An amount in euros as the shop shows it in the active language: "1.234,50 €" in
    Greek, "€1,234.50" in English (with an ordinary space, for plain-text e-mails)."""
    if amount is None:
        amount = Decimal("0.00")
    return currency(amount, settings.OSCAR_DEFAULT_CURRENCY).replace("\xa0", " ")


def date_time(value):
    """A moment in Greece's time, in the active language: "Τρίτη 14 Ιανουαρίου 2025, 18:30"."""
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value, MARKET_TIME_ZONE), DATE_TIME_FORMAT)


def phone_text(value):
    if not value:
        return ""
    if hasattr(value, "is_valid") and value.is_valid():
        return value.as_international
    return str(value)


def address_lines(address, *, with_country=False):
    """The address as lines: street, "postcode city", (country)."""
    if address is None:
        return []
    lines = [address.line1, address.line2, address.line3]
    lines.append(" ".join(part for part in (address.postcode, address.line4) if part))
    lines.append(address.state)
    if with_country and address.country_id:
        lines.append(address.country.printable_name)
    return [line.strip() for line in lines if line and line.strip()]


def absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path


def _language(code):
    """A language the site speaks, or the default one."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# Loading ------------------------------------------------------------------------------


def orders_for_emails():
    """Orders with what the e-mails show, in a fixed number of queries however many
    lines and parts there are."""
    return Order.objects.select_related(
        "organisation", "purchase", "user", "shipping_address__country"
    ).prefetch_related(
        Prefetch("lines", queryset=Line.objects.order_by("pk")),
        Prefetch(
            "organisation__addresses",
            queryset=PartnerAddress.objects.select_related("country").order_by("pk"),
        ),
    )


def organisation_address(organisation):
    """The organisation's (first) address, from the prefetched rows."""
    addresses = list(organisation.addresses.all())
    return addresses[0] if addresses else None


def consumer_of(order):
    """(e-mail, name, phone, language) of the person who placed ``order``."""
    purchase = order.purchase
    if purchase is not None:
        return purchase.email, purchase.name, purchase.phone, _language(purchase.language)
    name = order.user.get_full_name() if order.user else ""
    if not name and order.shipping_address_id:
        name = order.shipping_address.name
    phone = phone_text(order.shipping_address.phone_number) if order.shipping_address_id else ""
    return order.email, name, phone, settings.LANGUAGE_CODE


def purchase_url(order):
    if order.purchase is None:
        return ""
    return absolute_url(order.purchase.get_absolute_url())


def part_context(order):
    """What every e-mail shows of one order, formatted in the active language."""
    organisation = order.organisation
    lines = list(order.lines.all())
    subtotal = sum((line.line_price_incl_tax for line in lines), Decimal("0.00"))
    is_shipped = order.delivery_method == DeliveryMethod.SHIPPING
    pay_url = ""
    if (
        order.payment_method == PaymentMethod.CARD
        and not order.is_paid
        and order.status != OrderStatus.CANCELLED
        and order.purchase is not None
    ):
        pay_url = absolute_url(reverse("checkout:pay", kwargs={"token": order.purchase.token}))
    return {
        "order": order,
        "organisation": organisation,
        "lines": [
            {
                "title": line.title,
                "quantity": line.quantity,
                "total": money(line.line_price_incl_tax),
            }
            for line in lines
        ],
        "subtotal": money(subtotal),
        "delivery": order.get_delivery_method_display() or order.shipping_method,
        "delivery_fee": money(order.shipping_incl_tax) if is_shipped else "",
        "total": money(order.total_incl_tax),
        "payment": order.get_payment_method_display(),
        "is_bank_transfer": order.payment_method == PaymentMethod.BANK_TRANSFER,
        "is_cash": order.payment_method == PaymentMethod.CASH,
        "is_card": order.payment_method == PaymentMethod.CARD,
        "is_pickup": order.delivery_method == DeliveryMethod.PICKUP,
        "is_shipped": is_shipped,
        "is_service": order.delivery_method == DeliveryMethod.NONE,
        "iban": organisation.iban_display if organisation else "",
        "reference": order.payment_reference,
        "pay_by": date_time(order.payment_deadline),
        "paid_at": date_time(order.paid_at),
        "pay_url": pay_url,
        "placed": date_time(order.date_placed),
        "contact_email": organisation.contact_email if organisation else "",
        "contact_phone": phone_text(organisation.contact_phone) if organisation else "",
        "address": address_lines(organisation_address(organisation)) if organisation else [],
        "pickup_instructions": organisation.pickup_instructions if organisation else "",
        "shipping_name": order.shipping_address.name if order.shipping_address_id else "",
        "shipping_address": address_lines(order.shipping_address, with_country=True),
        "shipping_phone": (
            phone_text(order.shipping_address.phone_number) if order.shipping_address_id else ""
        ),
        "shipping_notes": order.shipping_address.notes if order.shipping_address_id else "",
    }


# Rendering and sending ----------------------------------------------------------------


def render_email(name, context):
    """(subject on one line, plain-text body) of the ``name`` templates."""
    subject = render_to_string(f"{TEMPLATES}{name}_subject.txt", context)
    body = render_to_string(f"{TEMPLATES}{name}_body.txt", context)
    return " ".join(subject.split()), body


def _send(subject, body, recipients):
    recipients = [address for address in recipients if address]
    if not recipients:
        return 0
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients).send()


def purchase_confirmation(purchase):
    """(subject, body, recipients) of the consumer's confirmation of ``purchase``, whose
    ``orders`` come from ``orders_for_emails()``."""
    with translation.override(_language(purchase.language)):
        orders = list(purchase.orders.all())
        context = {
            "purchase": purchase,
            "parts": [part_context(order) for order in orders],
            "total": money(purchase.total_incl_tax),
            "purchase_url": absolute_url(purchase.get_absolute_url()),
            "site_url": settings.SITE_URL,
        }
        subject, body = render_email("purchase_confirmation", context)
    return subject, body, [purchase.email]


def send_purchase_confirmation(purchase_id):
    """E-mail the consumer their purchase's confirmation; returns how many were sent."""
    purchase = (
        Purchase.objects.prefetch_related(
            Prefetch("orders", queryset=orders_for_emails().order_by("pk"))
        )
        .filter(pk=purchase_id)
        .first()
    )
    if purchase is None:
        return 0
    subject, body, recipients = purchase_confirmation(purchase)
    return _send(subject, body, recipients)


def organisation_recipients(organisation):
    """The organisation's contact e-mail, or else its active members' e-mails."""
    if organisation.contact_email:
        return [organisation.contact_email]
    return list(
        organisation.users.filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def organisation_order_notice(order):
    """(subject, body, recipients) of the notice to ``order``'s organisation: its own
    order and nothing of the other organisations of the purchase."""
    organisation = order.organisation
    email, name, phone, _consumer_language = consumer_of(order)
    with translation.override(_language(organisation.language)):
        context = {
            "part": part_context(order),
            "consumer_name": name,
            "consumer_email": email,
            "consumer_phone": phone,
            "dashboard_url": absolute_url(
                reverse("dashboard:order-detail", kwargs={"number": order.number})
            ),
            "site_url": settings.SITE_URL,
        }
        subject, body = render_email("organisation_order", context)
    return subject, body, organisation_recipients(organisation)


def send_organisation_order_notice(order_id):
    """E-mail the organisation about its new order; returns how many were sent."""
    order = orders_for_emails().filter(pk=order_id).first()
    if order is None or order.organisation is None:
        return 0
    subject, body, recipients = organisation_order_notice(order)
    if not recipients:
        logger.warning(
            "Organisation %s has no contact e-mail and no member with an e-mail: "
            "order %s was not announced to it.",
            order.organisation_id,
            order.number,
        )
        return 0
    return _send(subject, body, recipients)


def order_status_email(order, old_status, status=None):
    """(subject, body, recipients) of the e-mail to the consumer about ``order`` taking
    ``status`` (by default its current status)."""
    status = status or order.status
    email, name, _phone, language = consumer_of(order)
    with translation.override(language):
        part = part_context(order)
        try:
            status_label = OrderStatus(status).label
        except ValueError:
            status_label = status
        deadline_passed = bool(order.payment_deadline and order.payment_deadline <= timezone.now())
        is_cancelled = status == OrderStatus.CANCELLED
        # A paid card order is refunded by the platform before it is cancelled (see
        # shop.order.stripe_payments.refund_cancelled_order); money paid to the
        # organisation itself, by transfer or in cash, is the organisation's to return.
        refunded = (
            order.refunded_total
            if is_cancelled and order.payment_method == PaymentMethod.CARD
            else Decimal("0.00")
        )
        context = {
            "part": part,
            "status": status,
            "old_status": old_status,
            "status_label": status_label,
            "consumer_name": name,
            "is_confirmed": status == OrderStatus.CONFIRMED,
            "is_paid_status": status == OrderStatus.PAID,
            "is_shipped_status": status == OrderStatus.SHIPPED,
            "is_ready": status == OrderStatus.READY_FOR_PICKUP,
            "is_completed": status == OrderStatus.COMPLETED,
            "is_cancelled": is_cancelled,
            "refunded_to_card": money(refunded) if refunded else "",
            "returned_by_organisation": (
                is_cancelled
                and order.is_paid
                and order.payment_method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH)
            ),
            "expired_unpaid": (
                status == OrderStatus.CANCELLED
                and not order.is_paid
                and order.payment_method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD)
                and deadline_passed
            ),
            # Still to pay online or by transfer: the instructions again.
            "payment_due": (
                status not in (OrderStatus.CANCELLED, OrderStatus.COMPLETED, OrderStatus.PAID)
                and not order.is_paid
                and order.payment_method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD)
            ),
            "purchase_url": purchase_url(order),
            "site_url": settings.SITE_URL,
        }
        subject, body = render_email("order_status", context)
    return subject, body, [email]


def late_refund_email(order):
    """(subject, body, recipients) of the e-mail to the consumer whose card payment
    arrived after ``order`` had been cancelled and was refunded."""
    email, name, _phone, language = consumer_of(order)
    with translation.override(language):
        context = {
            "part": part_context(order),
            "consumer_name": name,
            "refunded": money(order.refunded_total),
            "purchase_url": purchase_url(order),
            "site_url": settings.SITE_URL,
        }
        subject, body = render_email("order_late_refund", context)
    return subject, body, [email]


def send_late_refund_email(order_id):
    """E-mail the consumer about a late card payment refunded; returns how many were
    sent."""
    order = orders_for_emails().filter(pk=order_id).first()
    if order is None:
        return 0
    return _send(*late_refund_email(order))


def send_order_status_email(order_id, old_status, status=None):
    """E-mail the consumer about the order's new status; returns how many were sent."""
    order = orders_for_emails().filter(pk=order_id).first()
    if order is None:
        return 0
    subject, body, recipients = order_status_email(order, old_status, status)
    return _send(subject, body, recipients)
