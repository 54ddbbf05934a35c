"""Oscar's order dashboard, limited for members of an organisation to their own lines.

Every order and line a view reaches comes from the gatekeepers in ``shop.access``.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.orders import views as oscar_views
from oscar.core.loading import get_model

from shop import access

Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")


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
        self.base_queryset = access.orders_of(request.user).order_by("-date_placed")
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
        super().change_order_status(request, order)


class OrderDetailView(oscar_views.OrderDetailView):
    order_level_changes = ("change_order_status", "create_order_payment_event")

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
        ctx["can_change_order_status"] = access.can_change_order_status(user, self.object)
        ctx["visible_notes"] = access.visible_order_notes(user, self.object)
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
