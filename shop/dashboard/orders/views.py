"""Oscar's order dashboard, limited for members of an organisation to their own lines.

Every order and line a view reaches comes from the gatekeepers in ``shop.access``.
An organisation moves its own orders through their statuses with
``shop.order.services.change_status`` (stock and payment follow: cancelling a paid card
order refunds it to the consumer's card, or is refused with the reason shown), prints
their receipts and downloads them as CSV for a date range.
"""

import csv
import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from oscar.apps.dashboard.orders import views as oscar_views
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from shop import access
from shop.order import services
from shop.order.models import OrderStatus, PaymentMethod
from shop.order.receipts import consumer_of, receipt_context, receipt_pdf

Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")
OrderStatusForm = get_class("dashboard.orders.forms", "OrderStatusForm")

# Payments the organisation receives itself and records by hand; card payments are
# recorded by Stripe's confirmation only.
MANUALLY_PAID_METHODS = (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH)


def status_label(code):
    try:
        return OrderStatus(code).label
    except ValueError:
        return code


class MarketOrderStatusForm(OrderStatusForm):
    """Offers only the statuses the order may take next, by their names."""

    def __init__(self, order, *args, **kwargs):
        super().__init__(order, *args, **kwargs)
        self.fields["new_status"].choices = [
            (str(status), status_label(status)) for status in services.next_statuses(order)
        ]


def apply_status_change(request, order, new_status):
    """Move ``order`` through the order service; a refused change (a card refund that
    Stripe did not make included) becomes an error message and changes nothing. Returns
    whether the status changed."""
    old_label = order.status_label
    if new_status == order.status:
        messages.info(
            request,
            gettext("Order %(number)s already has the status “%(status)s”.")
            % {"number": order.number, "status": old_label},
        )
        return False
    try:
        order = services.change_status(order, new_status, user=request.user)
    except services.StatusChangeError as error:
        messages.error(request, str(error))
        return False
    message = gettext("Order %(number)s: status changed from “%(old)s” to “%(new)s”.") % {
        "number": order.number,
        "old": old_label,
        "new": order.status_label,
    }
    if order.status == OrderStatus.CANCELLED and order.payment_method == PaymentMethod.CARD:
        refunded = order.refunded_total
        if refunded:
            message += " " + gettext("%(amount)s has been refunded to the customer's card.") % {
                "amount": currency(refunded, order.currency)
            }
    order.notes.create(user=request.user, message=message, note_type=OrderNote.SYSTEM)
    messages.success(request, message)
    return True


class OrderStatsView(oscar_views.OrderStatsView):
    def get_stats(self, filters):
        user = self.request.user
        orders = access.orders_of(user).filter(**filters)
        lines = access.order_lines_of(user).filter(order__in=orders.values("pk"))
        return {
            "total_orders": orders.count(),
            "total_lines": lines.count(),
            "total_revenue": (
                lines.aggregate(total=Sum("line_price_incl_tax"))["total"] or Decimal("0")
            ).quantize(Decimal("0.01")),
            "order_status_breakdown": orders.order_by("status")
            .values("status")
            .annotate(freq=Count("id")),
        }


class OrderListView(oscar_views.OrderListView):
    def dispatch(self, request, *args, **kwargs):
        self.base_queryset = (
            access.orders_of(request.user)
            .select_related("organisation", "purchase")
            .order_by("-date_placed")
        )
        # Oscar's dispatch would set base_queryset again from its own helper.
        return super(oscar_views.OrderListView, self).dispatch(request, *args, **kwargs)

    def get_queryset(self):
        """A member's list shows the total and the items of their own lines."""
        queryset = super().get_queryset()
        user = self.request.user
        if access.is_platform_staff(user):
            return queryset
        own_lines = (
            access.order_lines_of(user).filter(order=OuterRef("pk")).order_by().values("order")
        )
        return queryset.annotate(
            own_total_incl_tax=Subquery(
                own_lines.annotate(total=Sum("line_price_incl_tax")).values("total")
            ),
            own_num_items=Subquery(own_lines.annotate(items=Sum("quantity")).values("items")),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["own_lines_only"] = not access.is_platform_staff(self.request.user)
        ctx["order_status_choices"] = OrderStatus.choices
        ctx["export_form"] = OrderExportForm(initial=default_export_range())
        return ctx

    def get_row_values(self, order):
        """A member's export counts only their own lines of the order."""
        row = super().get_row_values(order)
        user = self.request.user
        if not access.is_platform_staff(user):
            lines = access.visible_order_lines(user, order)
            totals = lines.aggregate(value=Sum("line_price_incl_tax"), num_items=Sum("quantity"))
            row["value"] = (totals["value"] or Decimal("0")).quantize(Decimal("0.01"))
            row["num_items"] = totals["num_items"] or 0
        return row

    def change_order_status(self, request, order):
        if not access.can_change_order_status(request.user, order):
            messages.error(
                request,
                _("You cannot change the status of order %(number)s.") % {"number": order.number},
            )
            return
        new_status = request.POST.get("new_status", "").strip()
        if not new_status:
            messages.error(request, _("Choose the new status."))
            return
        apply_status_change(request, order, new_status)


class OrderDetailView(oscar_views.OrderDetailView):
    order_actions = (*oscar_views.OrderDetailView.order_actions, "mark_paid")
    order_level_changes = ("change_order_status", "create_order_payment_event", "mark_paid")

    def get_object(self, queryset=None):
        return access.access_order(self.request.user, self.kwargs["number"])

    def get_order_lines(self):
        return access.visible_order_lines(self.request.user, self.object)

    def handle_order_action(self, request, order, action):
        if action in self.order_level_changes and not access.can_change_order_status(
            request.user, order
        ):
            raise PermissionDenied
        return super().handle_order_action(request, order, action)

    def get_order_status_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return MarketOrderStatusForm(order=self.object, data=data)

    def change_order_status(self, request, order):
        form = self.get_order_status_form()
        if not form.is_valid():
            return self.reload_page(
                error=_("Order %(number)s cannot take this status; choose one of those offered.")
                % {"number": order.number}
            )
        apply_status_change(request, order, form.cleaned_data["new_status"])
        return self.reload_page()

    def mark_paid(self, request, order):
        if order.payment_method not in MANUALLY_PAID_METHODS:
            return self.reload_page(
                error=_(
                    "Only bank transfer and cash orders are marked paid by hand; card "
                    "payments are recorded when Stripe confirms them."
                )
            )
        if order.is_paid:
            return self.reload_page(error=_("This order is already marked paid."))
        if order.status == OrderStatus.CANCELLED:
            return self.reload_page(error=_("A cancelled order cannot be marked paid."))
        try:
            services.mark_paid(order, user=request.user)
        except services.StatusChangeError as error:
            return self.reload_page(error=str(error))
        message = gettext("Order %(number)s is marked paid.") % {"number": order.number}
        order.notes.create(user=request.user, message=message, note_type=OrderNote.SYSTEM)
        messages.success(request, message)
        return self.reload_page()

    def get_order_note_form(self):
        note_id = self.kwargs.get("note_id")
        if note_id:
            note = get_object_or_404(OrderNote, order=self.object, id=note_id)
            if not access.can_edit_order_note(self.request.user, note):
                raise Http404("No such note.")
        return super().get_order_note_form()

    def delete_note(self, request, order):
        note = order.notes.filter(id=request.POST.get("note_id") or None).first()
        if note is None or not access.can_edit_order_note(request.user, note):
            messages.error(request, _("Note cannot be deleted"))
            return self.reload_page()
        return super().delete_note(request, order)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        order = self.object
        ctx["can_change_order_status"] = can_change = access.can_change_order_status(user, order)
        ctx["visible_notes"] = access.visible_order_notes(user, order)
        ctx["can_mark_paid"] = (
            can_change
            and order.payment_method in MANUALLY_PAID_METHODS
            and not order.is_paid
            and order.status != OrderStatus.CANCELLED
        )
        ctx["status_choices"] = OrderStatus.choices
        ctx["refunded_total"] = (
            order.refunded_total if order.payment_method == PaymentMethod.CARD else None
        )
        ctx["status_change_rows"] = [
            (status_label(change.old_status), status_label(change.new_status), change.date_created)
            for change in order.status_changes.all()
        ]
        if order.organisation_id is not None:
            ctx["receipt_url"] = reverse("dashboard:order-receipt", kwargs={"number": order.number})
            ctx["receipt_pdf_url"] = reverse(
                "dashboard:order-receipt-pdf", kwargs={"number": order.number}
            )
        if not access.is_platform_staff(user):
            own_lines = ctx["lines"]
            ctx["own_lines_total_incl_tax"] = (
                own_lines.aggregate(total=Sum("line_price_incl_tax"))["total"] or Decimal("0")
            ).quantize(Decimal("0.01"))
            own_line_ids = {line.pk for line in own_lines}
            events = (
                self.object.shipping_events.filter(lines__in=own_lines)
                .distinct()
                .select_related("event_type")
                .prefetch_related("line_quantities__line")
            )
            ctx["visible_shipping_events"] = [
                {
                    "event": event,
                    "line_quantities": [
                        line_qty
                        for line_qty in event.line_quantities.all()
                        if line_qty.line_id in own_line_ids
                    ],
                }
                for event in events
            ]
        return ctx


class LineDetailView(oscar_views.LineDetailView):
    def get_object(self, queryset=None):
        order = access.access_order(self.request.user, self.kwargs["number"])
        try:
            return access.visible_order_lines(self.request.user, order).get(
                pk=self.kwargs["line_id"]
            )
        except Line.DoesNotExist:
            raise Http404("No such line.") from None


class ShippingAddressUpdateView(oscar_views.ShippingAddressUpdateView):
    def get_object(self, queryset=None):
        order = access.access_order(self.request.user, self.kwargs["number"])
        if not access.can_change_order_status(self.request.user, order):
            raise PermissionDenied
        return get_object_or_404(self.model, order=order)


# Receipts ----------------------------------------------------------------------------


def receipt_order_or_404(user, number):
    """The order if the user may print its receipt: staff any organisation's order, a
    member only their own organisation's."""
    order = access.access_order(user, number)
    if order.organisation_id is None:
        raise Http404("This order has no receipt.")
    if not access.is_platform_staff(user) and not (
        access.organisations_of(user).filter(pk=order.organisation_id).exists()
    ):
        raise Http404("No such order.")
    return order


class OrderReceiptView(TemplateView):
    template_name = "shop/order/receipt.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = receipt_order_or_404(self.request.user, self.kwargs["number"])
        ctx.update(receipt_context(order))
        ctx["pdf_url"] = reverse("dashboard:order-receipt-pdf", kwargs={"number": order.number})
        ctx["back_url"] = reverse("dashboard:order-detail", kwargs={"number": order.number})
        return ctx


class OrderReceiptPdfView(View):
    def get(self, request, number):
        order = receipt_order_or_404(request.user, number)
        response = HttpResponse(receipt_pdf(order), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="receipt-{order.number}.pdf"'
        return response


# CSV export --------------------------------------------------------------------------

DATE_INPUT = "%Y-%m-%d"


class OrderExportForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        input_formats=[DATE_INPUT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_INPUT),
    )
    date_to = forms.DateField(
        label=_("To"),
        input_formats=[DATE_INPUT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_INPUT),
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(
                _("The first day of the export must not be after the last."), code="order"
            )
        return data

    def placed_range(self):
        """[start, end) of the chosen days in the platform's time zone (Europe/Athens)."""
        zone = timezone.get_default_timezone()
        start = datetime.datetime.combine(self.cleaned_data["date_from"], datetime.time.min)
        end = datetime.datetime.combine(
            self.cleaned_data["date_to"] + datetime.timedelta(days=1), datetime.time.min
        )
        return timezone.make_aware(start, zone), timezone.make_aware(end, zone)


def default_export_range():
    today = timezone.localdate()
    return {"date_from": today.replace(day=1), "date_to": today}


EXPORT_COLUMNS = (
    _("Order number"),
    _("Receipt"),
    _("Date placed"),
    _("Status"),
    _("Customer name"),
    _("Customer e-mail"),
    _("Customer phone"),
    _("Delivery method"),
    _("Payment method"),
    _("Paid at"),
    _("Product"),
    _("SKU"),
    _("Quantity"),
    _("Unit price incl. VAT"),
    _("VAT rate (%)"),
    _("Line total incl. VAT"),
    _("Order delivery fee incl. VAT"),
    _("Order total incl. VAT"),
)


def _csv_datetime(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def export_rows(orders):
    """One row per order line, in the order of EXPORT_COLUMNS."""
    for order in orders:
        consumer = consumer_of(order)
        for line in order.lines.all():
            yield [
                order.number,
                order.receipt_code,
                _csv_datetime(order.date_placed),
                order.status_label,
                consumer.name,
                consumer.email,
                consumer.phone,
                order.get_delivery_method_display() or order.shipping_method,
                order.get_payment_method_display(),
                _csv_datetime(order.paid_at),
                line.title,
                line.partner_sku,
                line.quantity,
                line.unit_price_incl_tax,
                line.tax_code or "",
                line.line_price_incl_tax,
                order.shipping_incl_tax,
                order.total_incl_tax,
            ]


class OrderExportView(View):
    """The user's organisations' orders placed in a date range, as CSV for a
    spreadsheet: UTF-8 with a byte order mark, so that Excel shows Greek."""

    def get(self, request):
        form = OrderExportForm(request.GET)
        if not form.is_valid():
            if form.non_field_errors():
                messages.error(request, form.non_field_errors()[0])
            else:
                messages.error(
                    request,
                    _("Give the first and the last day of the export as valid dates."),
                )
            return redirect("dashboard:order-list")
        start, end = form.placed_range()
        user = request.user
        orders = (
            access.orders_of(user)
            .filter(date_placed__gte=start, date_placed__lt=end)
            .select_related("purchase")
            .prefetch_related(None)
            .prefetch_related(
                Prefetch("lines", queryset=access.order_lines_of(user).order_by("pk"))
            )
            .order_by("date_placed", "number")
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = "orders-{:%Y-%m-%d}-{:%Y-%m-%d}.csv".format(
            form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(column) for column in EXPORT_COLUMNS])
        writer.writerows(export_rows(orders))
        return response
