"""The social market's checkout and order life, across organisations.

A basket is grouped by organisation (``group_basket``); placing it (``place_purchase``)
creates one Purchase and, inside one transaction, one Order per organisation with its
stock reserved, its receipt number and its delivery and payment choice. Each
organisation then moves its own order through its statuses (``change_status``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.order import notifications
from shop.order.models import DeliveryMethod, OrderStatus, PaymentMethod, Purchase

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

CENT = Decimal("0.01")
# Delivery fees are charged with the standard VAT rate.
DELIVERY_VAT_RATE = "standard"

UNPAID_STATUSES = (OrderStatus.NEW, OrderStatus.CONFIRMED)
FULFILLED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP, OrderStatus.COMPLETED)


class CheckoutError(Exception):
    """The purchase cannot be placed; the message says why, for the consumer."""


class BasketAlreadyOrdered(CheckoutError):
    """The basket was placed meanwhile, e.g. by a second click on "Place order";
    ``purchase`` is what the first placing made of it."""

    def __init__(self, message, purchase):
        super().__init__(message)
        self.purchase = purchase


class StatusChangeError(Exception):
    """The order cannot take that status; the message says why, for the organisation."""


def cents(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_percentage(rate_key):
    return settings.VAT_RATES[rate_key]


def split_gross(gross, rate_key):
    """(net, VAT) of an amount that includes VAT at this rate."""
    gross = cents(gross)
    net = cents(gross / (1 + vat_percentage(rate_key)))
    return net, gross - net


def tax_code(rate_key):
    """The rate as printed on receipts and stored on order lines: "24", "13", "6"."""
    return str(int(vat_percentage(rate_key) * 100))


def line_tracks_stock(stockrecord):
    """Stock is counted for goods whose class tracks it, and for services with places."""
    if stockrecord is None or stockrecord.num_in_stock is None:
        return False
    product = stockrecord.product
    return bool(product.get_product_class().track_stock or product.is_service)


def line_needs_delivery(product):
    return not product.is_service and product.get_product_class().requires_shipping


@dataclass
class MarketGroup:
    """The lines of one organisation in a basket, with what it offers at checkout."""

    organisation: object
    lines: list = field(default_factory=list)

    @property
    def subtotal_incl_tax(self):
        return cents(sum((line.line_price_incl_tax for line in self.lines), Decimal(0)))

    @property
    def subtotal_excl_tax(self):
        return cents(sum((line.line_price_excl_tax for line in self.lines), Decimal(0)))

    @property
    def vat(self):
        return self.subtotal_incl_tax - self.subtotal_excl_tax

    @property
    def needs_delivery(self):
        return any(line_needs_delivery(line.product) for line in self.lines)

    def delivery_options(self):
        """[(method, label, fee incl. VAT)] the organisation offers for these lines."""
        organisation = self.organisation
        if not self.needs_delivery:
            return [(DeliveryMethod.NONE, DeliveryMethod.NONE.label, Decimal("0.00"))]
        options = []
        if organisation.offers_shipping:
            fee = organisation.shipping_fee_for(self.subtotal_incl_tax)
            options.append((DeliveryMethod.SHIPPING, DeliveryMethod.SHIPPING.label, fee))
        if organisation.offers_pickup:
            options.append((DeliveryMethod.PICKUP, DeliveryMethod.PICKUP.label, Decimal("0.00")))
        return options

    def delivery_fee(self, method):
        for option, _label, fee in self.delivery_options():
            if option == method:
                return cents(fee)
        raise CheckoutError(
            _("%(organisation)s does not offer this delivery option.")
            % {"organisation": self.organisation.name}
        )

    def payment_methods(self):
        """[(method, label)] the organisation accepts."""
        organisation = self.organisation
        methods = []
        if organisation.accepts_bank_transfer and organisation.iban:
            methods.append((PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER.label))
        if organisation.accepts_cash:
            methods.append((PaymentMethod.CASH, PaymentMethod.CASH.label))
        if organisation.accepts_card:
            methods.append((PaymentMethod.CARD, PaymentMethod.CARD.label))
        return methods

    @property
    def default_delivery_fee(self):
        """The fee of the first delivery option, shown in the basket before checkout."""
        options = self.delivery_options()
        return cents(options[0][2]) if options else Decimal("0.00")

    @property
    def can_be_ordered(self):
        return bool(self.delivery_options() and self.payment_methods())


def basket_lines(basket):
    return list(
        basket.all_lines()
        .select_related(
            "stockrecord__partner", "product__product_class", "product__parent__product_class"
        )
        .prefetch_related("stockrecord__partner__shipping_fees", "stockrecord__partner__addresses")
    )


def group_basket(basket, lines=None):
    """The basket's lines grouped by organisation, ordered by the organisation's name."""
    if lines is None:
        lines = basket_lines(basket) if basket.id else []
    groups = {}
    for line in lines:
        organisation = line.stockrecord.partner
        group = groups.setdefault(organisation.pk, MarketGroup(organisation))
        group.lines.append(line)
    return sorted(
        groups.values(), key=lambda group: (group.organisation.name, group.organisation.pk)
    )


@dataclass
class PartChoice:
    """The consumer's choice for one organisation's part."""

    delivery_method: str
    payment_method: str
    note: str = ""


@dataclass
class Consumer:
    email: str
    name: str
    phone: str = ""
    user: object = None
    language: str = "el"


def _reserve_stock(line):
    """Reserve the line's quantity on its stock record, or fail if not enough is left.

    One UPDATE with the condition inside it: on PostgreSQL the second of two racing
    transactions re-reads the row after the first commits, so the last item goes once.
    """
    stockrecord = line.stockrecord
    if not line_tracks_stock(stockrecord):
        return 0
    allocated = Coalesce(F("num_allocated"), Value(0))
    reserved = StockRecord.objects.filter(
        pk=stockrecord.pk, num_in_stock__gte=allocated + line.quantity
    ).update(num_allocated=allocated + line.quantity)
    if not reserved:
        stockrecord.refresh_from_db(fields=["num_in_stock", "num_allocated"])
        left = max(stockrecord.num_in_stock - (stockrecord.num_allocated or 0), 0)
        if left:
            message = _(
                "“%(title)s” is no longer available in the quantity you asked for: "
                "%(left)s left. Please change the quantity in your basket."
            ) % {"title": line.product.get_title(), "left": left}
        else:
            message = _(
                "“%(title)s” is no longer available. Please remove it from your basket."
            ) % {"title": line.product.get_title()}
        raise CheckoutError(message)
    return line.quantity


def purchase_number(basket):
    """A basket is placed at most once, so its id numbers its purchase."""
    return str(100000 + basket.pk)


def _lock_open_basket(basket):
    """Lock the basket's row until commit and check it is still open: a second request
    placing the same basket (a double click) waits here for the first, then stops."""
    status = (
        Basket.objects.select_for_update()
        .filter(pk=basket.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status == Basket.OPEN:
        return
    purchase = Purchase.objects.filter(number=purchase_number(basket)).first()
    if purchase is not None:
        raise BasketAlreadyOrdered(_("This basket has already been ordered."), purchase)
    raise CheckoutError(_("Your basket can no longer be ordered. Please check it and try again."))


def _next_receipt_number(organisation):
    """The organisation's next receipt number; the row stays locked until commit, so
    numbers are sequential per organisation with no gaps and no repeats."""
    Partner.objects.filter(pk=organisation.pk).update(
        last_receipt_number=F("last_receipt_number") + 1
    )
    return Partner.objects.values_list("last_receipt_number", flat=True).get(pk=organisation.pk)


def _payment_deadline(payment_method, now):
    if payment_method == PaymentMethod.BANK_TRANSFER:
        return now + timedelta(days=settings.MARKET_BANK_TRANSFER_DAYS)
    if payment_method == PaymentMethod.CARD:
        return now + timedelta(minutes=settings.MARKET_CARD_PAYMENT_MINUTES)
    return None


def _copy_address(address_fields):
    if not address_fields:
        return None
    return ShippingAddress.objects.create(**address_fields)


def validate_choices(groups, choices, address_fields):
    """Check each part's choice against what its organisation offers."""
    for group in groups:
        organisation = group.organisation
        choice = choices.get(organisation.pk)
        if choice is None:
            raise CheckoutError(
                _("Choose delivery and payment for %(organisation)s.")
                % {"organisation": organisation.name}
            )
        group.delivery_fee(choice.delivery_method)
        if choice.payment_method not in dict(group.payment_methods()):
            raise CheckoutError(
                _("%(organisation)s does not accept this payment method.")
                % {"organisation": organisation.name}
            )
        if choice.delivery_method == DeliveryMethod.SHIPPING and not address_fields:
            raise CheckoutError(_("Give the address to ship to."))


def place_purchase(basket, consumer, choices, address_fields=None):
    """Turn the basket into a Purchase with one Order per organisation, all or nothing.

    ``choices`` maps each organisation's id to a PartChoice; ``address_fields`` are the
    ShippingAddress fields, needed when any part is shipped. Raises CheckoutError, with
    nothing written, when a choice is not offered or stock has run out, and
    BasketAlreadyOrdered when the basket has been placed meanwhile.
    """
    lines = basket_lines(basket)
    if not lines:
        raise CheckoutError(_("Your basket is empty."))
    for line in lines:
        if line.product.is_quote_only:
            raise CheckoutError(
                _("“%(title)s” is offered on request: ask the organisation for a quote.")
                % {"title": line.product.get_title()}
            )
    groups = group_basket(basket, lines)
    validate_choices(groups, choices, address_fields)
    now = timezone.now()
    site = Site.objects.get_current()

    with transaction.atomic():
        _lock_open_basket(basket)
        # Stock first, in a fixed order, so that racing checkouts never deadlock.
        reserved = {}
        for line in sorted(lines, key=lambda line: line.stockrecord_id):
            reserved[line.pk] = _reserve_stock(line)

        purchase = Purchase.objects.create(
            number=purchase_number(basket),
            user=consumer.user if consumer.user and consumer.user.is_authenticated else None,
            email=consumer.email,
            name=consumer.name,
            phone=consumer.phone,
            language=consumer.language,
            total_incl_tax=Decimal(0),
        )
        total = Decimal(0)
        for index, group in enumerate(groups, start=1):
            choice = choices[group.organisation.pk]
            order = _create_order(purchase, group, choice, index, basket, site, now, address_fields)
            for line in group.lines:
                _create_order_line(order, line, reserved[line.pk])
            total += order.total_incl_tax
        purchase.total_incl_tax = total
        purchase.save(update_fields=["total_incl_tax"])
        basket.submit()
        transaction.on_commit(lambda: notifications.purchase_placed(purchase.pk))
    return purchase


def _create_order(purchase, group, choice, index, basket, site, now, address_fields):
    organisation = group.organisation
    fee = group.delivery_fee(choice.delivery_method)
    fee_excl, _fee_vat = split_gross(fee, DELIVERY_VAT_RATE)
    shipping_address = (
        _copy_address(address_fields) if choice.delivery_method == DeliveryMethod.SHIPPING else None
    )
    return Order.objects.create(
        number=f"{purchase.number}-{index}",
        site=site,
        basket=basket,
        user=purchase.user,
        guest_email="" if purchase.user else purchase.email,
        currency=settings.OSCAR_DEFAULT_CURRENCY,
        total_incl_tax=group.subtotal_incl_tax + fee,
        total_excl_tax=group.subtotal_excl_tax + fee_excl,
        shipping_incl_tax=fee,
        shipping_excl_tax=fee_excl,
        shipping_tax_code=tax_code(DELIVERY_VAT_RATE),
        shipping_method=str(DeliveryMethod(choice.delivery_method).label),
        shipping_code=choice.delivery_method,
        shipping_address=shipping_address,
        status=OrderStatus.NEW,
        date_placed=now,
        organisation=organisation,
        purchase=purchase,
        receipt_number=_next_receipt_number(organisation),
        delivery_method=choice.delivery_method,
        payment_method=choice.payment_method,
        customer_note=choice.note,
        payment_deadline=_payment_deadline(choice.payment_method, now),
    )


def _create_order_line(order, basket_line, num_reserved):
    product = basket_line.product
    stockrecord = basket_line.stockrecord
    rate_key = product.get_product_class().vat_rate
    return Line.objects.create(
        order=order,
        partner=stockrecord.partner,
        partner_name=stockrecord.partner.name,
        partner_sku=stockrecord.partner_sku,
        stockrecord=stockrecord,
        product=product,
        title=product.get_title(),
        upc=product.upc,
        quantity=basket_line.quantity,
        line_price_incl_tax=cents(basket_line.line_price_incl_tax),
        line_price_excl_tax=cents(basket_line.line_price_excl_tax),
        line_price_before_discounts_incl_tax=cents(basket_line.line_price_incl_tax),
        line_price_before_discounts_excl_tax=cents(basket_line.line_price_excl_tax),
        unit_price_incl_tax=basket_line.unit_price_incl_tax,
        unit_price_excl_tax=basket_line.unit_price_excl_tax,
        tax_code=tax_code(rate_key),
        status=OrderStatus.NEW,
        num_allocated=num_reserved,
    )


def vat_breakdown(order, lines=None):
    """[(rate "24", net, VAT, gross)] of the order's lines and delivery, by rate."""
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in order.lines.all() if lines is None else lines:
        totals[line.tax_code][0] += line.line_price_excl_tax
        totals[line.tax_code][1] += line.line_price_incl_tax
    if order.shipping_incl_tax:
        totals[order.shipping_tax_code][0] += order.shipping_excl_tax
        totals[order.shipping_tax_code][1] += order.shipping_incl_tax
    return [
        (rate, cents(net), cents(gross - net), cents(gross))
        for rate, (net, gross) in sorted(totals.items(), key=lambda item: -int(item[0] or 0))
    ]


# Order life ---------------------------------------------------------------------------


def next_statuses(order):
    """The statuses the organisation may move this order to."""
    allowed = list(order.available_statuses())
    if order.delivery_method != DeliveryMethod.SHIPPING:
        allowed = [status for status in allowed if status != OrderStatus.SHIPPED]
    if order.delivery_method != DeliveryMethod.PICKUP:
        allowed = [status for status in allowed if status != OrderStatus.READY_FOR_PICKUP]
    if order.is_paid or order.payment_method == PaymentMethod.CARD:
        # Card payments are recorded by Stripe's confirmation, never by hand.
        allowed = [status for status in allowed if status != OrderStatus.PAID]
    if order.payment_method == PaymentMethod.CARD and not order.is_paid:
        allowed = [status for status in allowed if status == OrderStatus.CANCELLED]
    return allowed


def _release_stock(order):
    for line in order.lines.select_related("stockrecord").filter(num_allocated__gt=0):
        StockRecord.objects.filter(pk=line.stockrecord_id).update(
            num_allocated=Coalesce(F("num_allocated"), Value(0)) - line.num_allocated
        )
        Line.objects.filter(pk=line.pk).update(num_allocated=0, allocation_cancelled=True)


def _consume_stock(order):
    for line in order.lines.filter(num_allocated__gt=0):
        StockRecord.objects.filter(pk=line.stockrecord_id).update(
            num_allocated=Coalesce(F("num_allocated"), Value(0)) - line.num_allocated,
            # Never below zero, even if the organisation lowered its stock meanwhile.
            num_in_stock=Greatest(F("num_in_stock") - line.num_allocated, Value(0)),
        )
        Line.objects.filter(pk=line.pk).update(num_allocated=0)


def change_status(order, new_status, *, user=None, notify=True, only_if_unpaid=False):
    """Move ``order`` to ``new_status`` with what that means for stock and payment.

    Cancelling gives the reserved stock back and, for a card order already paid, first
    refunds it to the consumer's card and takes the organisation's transfer back
    (``stripe_payments.refund_cancelled_order``; if Stripe does not refund, its
    CardRefundFailed, a StatusChangeError, leaves the order as it was). Shipping, getting
    ready for pickup or completing takes the stock out for good; "paid" records the
    payment. The consumer is e-mailed about the change.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        old_status = order.status
        if new_status == old_status:
            return order
        if only_if_unpaid and (order.paid_at or old_status not in UNPAID_STATUSES):
            return order
        allowed = order.available_statuses() if user is None else next_statuses(order)
        if new_status not in allowed:
            raise StatusChangeError(
                _("Order %(number)s cannot go from “%(old)s” to “%(new)s”.")
                % {
                    "number": order.number,
                    "old": order.status_label,
                    "new": OrderStatus(new_status).label
                    if new_status in OrderStatus.values
                    else new_status,
                }
            )
        if new_status == OrderStatus.CANCELLED:
            if order.payment_method == PaymentMethod.CARD and order.paid_at is not None:
                # Imported here: stripe_payments builds on this module.
                from shop.order import stripe_payments

                stripe_payments.refund_cancelled_order(order)
            _release_stock(order)
        elif new_status in FULFILLED_STATUSES and old_status not in FULFILLED_STATUSES:
            _consume_stock(order)
        payment_received = new_status == OrderStatus.PAID or (
            new_status == OrderStatus.COMPLETED and order.payment_method == PaymentMethod.CASH
        )
        if payment_received and order.paid_at is None:
            order.paid_at = timezone.now()
            order.save(update_fields=["paid_at"])
        order.set_status(new_status)
        if notify:
            transaction.on_commit(lambda: notifications.order_status_changed(order.pk, old_status))
    return order


def mark_paid(order, *, user=None):
    """Record the order's payment: status "paid" if it is still waiting for it."""
    if order.status in UNPAID_STATUSES:
        return change_status(order, OrderStatus.PAID, user=user)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.paid_at is None:
            locked.paid_at = timezone.now()
            locked.save(update_fields=["paid_at"])
    return locked


def release_expired_orders(now=None):
    """Cancel unpaid bank-transfer and card orders past their deadline; their stock
    goes back. Returns how many were cancelled."""
    now = now or timezone.now()
    expired = Order.objects.filter(
        status__in=UNPAID_STATUSES,
        paid_at__isnull=True,
        payment_deadline__lt=now,
    ).values_list("pk", flat=True)
    cancelled = 0
    for order_id in list(expired):
        # Paid meanwhile? The lock inside change_status sees it and leaves the order be.
        order = change_status(Order(pk=order_id), OrderStatus.CANCELLED, only_if_unpaid=True)
        cancelled += order.status == OrderStatus.CANCELLED
    return cancelled
