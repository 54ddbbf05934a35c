"""The checkout page, across organisations, and a purchase's page.

The checkout is one page: the consumer's contact, the address when something is
shipped, and for each organisation its delivery option and payment method. Placing it
makes one order per organisation (shop.order.services.place_purchase). The purchase's
page is reached by its secret token, so guests follow their orders the same way as
members.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from oscar.core.loading import get_model

from shop.checkout.forms import ContactForm, PartForm, ShippingAddressForm
from shop.geography import greece
from shop.order import services
from shop.order.models import DeliveryMethod, OrderStatus, PaymentMethod, Purchase

Line = get_model("order", "Line")
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")

RECENT_PURCHASES_SESSION_KEY = "market_recent_purchases"


class CheckoutView(View):
    template_name = "shop/checkout/checkout.html"

    def dispatch(self, request, *args, **kwargs):
        self.basket = request.basket
        if self.basket.is_empty:
            messages.info(request, _("Your basket is empty: add something to order first."))
            return redirect("basket:summary")
        self.groups = services.group_basket(self.basket)
        return super().dispatch(request, *args, **kwargs)

    def get_forms(self, data=None):
        user = self.request.user
        return {
            "contact_form": ContactForm(data, user=user, prefix="contact"),
            "address_form": ShippingAddressForm(data, prefix="address"),
            "parts": [
                (group, PartForm(data, group=group, prefix=f"org-{group.organisation.pk}"))
                for group in self.groups
            ],
        }

    def render(self, forms, errors=(), status=200):
        context = {
            **forms,
            "basket": self.basket,
            "errors": errors,
            "closed_groups": [group for group in self.groups if not group.can_be_ordered],
            "needs_address": any(group.needs_delivery for group in self.groups),
            "total_goods": sum(group.subtotal_incl_tax for group in self.groups),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.get_forms())

    def post(self, request, *args, **kwargs):
        forms = self.get_forms(request.POST)
        contact_form, address_form = forms["contact_form"], forms["address_form"]
        part_forms = [form for _group, form in forms["parts"]]
        # A list, not a generator: every form is validated, so every error is shown.
        valid = contact_form.is_valid()
        valid = all([form.is_valid() for form in part_forms]) and valid  # noqa: C419
        ships = any(
            form.is_valid() and form.cleaned_data["delivery_method"] == DeliveryMethod.SHIPPING
            for form in part_forms
        )
        if ships and not address_form.is_valid():
            valid = False
        if not valid:
            return self.render(forms, errors=[_("Please correct the errors below.")], status=400)
        contact = contact_form.cleaned_data
        consumer = services.Consumer(
            email=contact["email"],
            name=contact["name"],
            phone=str(contact["phone"]),
            user=request.user,
            language=translation.get_language() or "el",
        )
        choices = {
            form.group.organisation.pk: services.PartChoice(
                delivery_method=form.cleaned_data["delivery_method"],
                payment_method=form.cleaned_data["payment_method"],
                note=form.cleaned_data["note"],
            )
            for form in part_forms
        }
        try:
            purchase = services.place_purchase(
                self.basket,
                consumer,
                choices,
                address_fields=self.address_fields(address_form, contact) if ships else None,
            )
        except services.BasketAlreadyOrdered as error:
            # A second click on "Place order": the browser shows this answer, not the
            # first one's, so it leads to the purchase the first click placed.
            return self.placed(error.purchase)
        except services.CheckoutError as error:
            return self.render(forms, errors=[str(error)], status=409)
        return self.placed(purchase)

    def placed(self, purchase):
        """Thank the consumer and go on to the card payment, if any, or the purchase."""
        request = self.request
        recent = request.session.get(RECENT_PURCHASES_SESSION_KEY, [])
        if purchase.token not in recent:
            request.session[RECENT_PURCHASES_SESSION_KEY] = [purchase.token, *recent][:10]
        messages.success(
            request,
            _("Thank you! Your order %(number)s has been sent to the organisations.")
            % {"number": purchase.number},
        )
        if purchase.orders.filter(payment_method=PaymentMethod.CARD).exists():
            return redirect("checkout:pay", token=purchase.token)
        return redirect(purchase.get_absolute_url())

    @staticmethod
    def address_fields(address_form, contact):
        first_name, _space, last_name = contact["name"].strip().partition(" ")
        address = address_form.cleaned_data
        return {
            "first_name": first_name,
            "last_name": last_name,
            "line1": address["line1"],
            "line4": address["line4"],
            "postcode": address["postcode"],
            "notes": address["notes"],
            "phone_number": contact["phone"],
            "country": greece(),
        }


def purchase_with_parts(token):
    """The purchase with its orders, their lines and organisations, in a few queries."""
    orders = Order.objects.select_related("organisation", "shipping_address").prefetch_related(
        Prefetch("lines", queryset=Line.objects.order_by("pk")),
        Prefetch("payment_events", queryset=PaymentEvent.objects.select_related("event_type")),
        "organisation__addresses",
    )
    try:
        return Purchase.objects.prefetch_related(
            Prefetch("orders", queryset=orders.order_by("number"))
        ).get(token=token)
    except Purchase.DoesNotExist:
        raise Http404("No such purchase.") from None


class PurchaseView(View):
    """Every part of a purchase: status, payment instructions, contact, receipts."""

    template_name = "shop/checkout/purchase.html"

    def get(self, request, token):
        purchase = purchase_with_parts(token)
        orders = list(purchase.orders.all())
        card_due = [
            order
            for order in orders
            if order.payment_method == PaymentMethod.CARD
            and not order.is_paid
            and order.status != OrderStatus.CANCELLED
        ]
        context = {
            "purchase": purchase,
            "orders": orders,
            "card_due": card_due,
            "card_due_total": sum(order.total_incl_tax for order in card_due),
            "pay_url": reverse("checkout:pay", kwargs={"token": purchase.token}),
        }
        response = render(request, self.template_name, context)
        # The token in the address is a secret: keep it out of other sites' logs.
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "private, no-store"
        return response
