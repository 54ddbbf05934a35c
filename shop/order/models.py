"""Orders of the social market: one consumer's checkout is a Purchase, split into one
Oscar Order per organisation.

Each organisation receives, is paid for and fulfils its own Order, with its own number,
status, payment method, delivery choice and receipt number; the Purchase ties the parts
together for the consumer (one confirmation, one page to follow them, one card payment).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from oscar.apps.order.abstract_models import AbstractOrder


class OrderStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("order status", "New")
    CONFIRMED = "confirmed", pgettext_lazy("order status", "Confirmed")
    PAID = "paid", pgettext_lazy("order status", "Paid")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")
    READY_FOR_PICKUP = "ready_for_pickup", pgettext_lazy("order status", "Ready for pickup")
    COMPLETED = "completed", pgettext_lazy("order status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


class DeliveryMethod(models.TextChoices):
    SHIPPING = "shipping", _("Shipping to your address")
    PICKUP = "pickup", _("Pickup from the organisation")
    NONE = "none", _("No delivery (service)")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash on pickup or delivery")
    CARD = "card", _("Card (Stripe)")


# Oscar's payment event types of a card order's money (order.PaymentEvent).
REFUNDED_EVENT_NAME = "Refunded"  # to the consumer's card
TRANSFER_REVERSED_EVENT_NAME = "Transfer reversed"  # by the organisation to the platform


def new_purchase_token():
    return secrets.token_urlsafe(24)


class Purchase(models.Model):
    """One checkout by one consumer, across one or more organisations."""

    number = models.CharField(_("purchase number"), max_length=32, unique=True)
    token = models.CharField(
        _("access token"), max_length=64, unique=True, default=new_purchase_token, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, default="el")
    total_incl_tax = models.DecimalField(_("total (incl. VAT)"), max_digits=12, decimal_places=2)
    # Card payment of the card-paid parts: one PaymentIntent, then one transfer to each
    # organisation's connected account (Stripe's "separate charges and transfers").
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        app_label = "order"
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ("-created", "-id")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("checkout:purchase", kwargs={"token": self.token})

    @property
    def transfer_group(self):
        return f"purchase-{self.number}"


class Order(AbstractOrder):
    """One organisation's part of a purchase."""

    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("organisation"),
    )
    purchase = models.ForeignKey(
        Purchase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("purchase"),
    )
    receipt_number = models.PositiveIntegerField(_("receipt number"), null=True, blank=True)
    delivery_method = models.CharField(
        _("delivery"), max_length=16, choices=DeliveryMethod.choices, blank=True
    )
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    customer_note = models.TextField(_("note to the organisation"), blank=True)
    payment_deadline = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    platform_contribution = models.DecimalField(
        _("platform contribution"), max_digits=12, decimal_places=2, default=0
    )

    class Meta(AbstractOrder.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "receipt_number"], name="order_receipt_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "date_placed"], name="order_org_placed_idx"),
            models.Index(fields=["status", "payment_deadline"], name="order_status_deadline_idx"),
        ]

    @property
    def status_label(self):
        try:
            return OrderStatus(self.status).label
        except ValueError:
            return self.status

    @property
    def is_paid(self):
        return self.paid_at is not None

    @property
    def refunded_total(self):
        """What has been refunded to the consumer's card for this order (Oscar's
        "Refunded" payment events), 0.00 when nothing. Read from prefetched
        ``payment_events`` (with their ``event_type``) when the page prefetched them."""
        if "payment_events" in getattr(self, "_prefetched_objects_cache", {}):
            return sum(
                (
                    event.amount
                    for event in self.payment_events.all()
                    if event.event_type.name == REFUNDED_EVENT_NAME
                ),
                Decimal("0.00"),
            )
        total = self.payment_events.filter(event_type__name=REFUNDED_EVENT_NAME).aggregate(
            total=Sum("amount")
        )["total"]
        return total or Decimal("0.00")

    @property
    def payment_reference(self):
        """What the consumer writes as the reason of a bank transfer."""
        return self.number

    @property
    def receipt_code(self):
        """The receipt's number as printed: the organisation's sequence, by year."""
        if self.receipt_number is None:
            return ""
        return f"{self.date_placed:%Y}-{self.receipt_number:06d}"


class PaymentProviderEvent(models.Model):
    """A webhook event received from a payment provider, kept so that a replayed event is
    recognised and changes nothing."""

    provider = models.CharField(max_length=32, default="stripe")
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=255)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "order"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payment_event_once_per_provider"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.event_id}"


from oscar.apps.order.models import *  # noqa: E402, F403
