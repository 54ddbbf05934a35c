"""Oscar's dashboard index: a member of an organisation sees figures of their own lines.

Oscar sums the totals of whole orders that contain one of the member's lines, so the
revenue of every other organisation in a shared order would be counted as theirs.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.timezone import now
from oscar.apps.dashboard import views as oscar_views

from shop import access


def _line_total(lines):
    total = lines.aggregate(total=Sum("line_price_incl_tax"))["total"] or Decimal("0")
    return total.quantize(Decimal("0.01"))


class _LineTotals:
    """Stands in for an order queryset in Oscar's hourly report: ``filter`` on the
    order's date and ``aggregate(Sum("total_incl_tax"))`` over the member's lines."""

    def __init__(self, lines):
        self.lines = lines

    def filter(self, date_placed__gte, date_placed__lt):
        return _LineTotals(
            self.lines.filter(
                order__date_placed__gte=date_placed__gte, order__date_placed__lt=date_placed__lt
            )
        )

    def aggregate(self, *args):
        return {"total_incl_tax__sum": _line_total(self.lines)}


class IndexView(oscar_views.IndexView):
    def get_stats(self):
        stats = super().get_stats()
        user = self.request.user
        if access.is_platform_staff(user):
            return stats

        lines = access.order_lines_of(user)
        orders = access.orders_of(user)
        orders_last_day = orders.filter(date_placed__gt=now() - timedelta(hours=24))
        lines_last_day = lines.filter(order__in=orders_last_day.values("pk"))
        revenue_last_day = _line_total(lines_last_day)
        count_last_day = orders_last_day.count()
        stats.update(
            total_orders_last_day=count_last_day,
            total_lines_last_day=lines_last_day.count(),
            average_order_costs=(
                (revenue_last_day / count_last_day).quantize(Decimal("0.01"))
                if count_last_day
                else Decimal("0.00")
            ),
            total_revenue_last_day=revenue_last_day,
            hourly_report_dict=self.get_hourly_report(_LineTotals(lines)),
            total_products=access.products_of(user).count(),
            total_open_stock_alerts=access.stock_alerts_of(user)
            .filter(status=access.StockAlert.OPEN)
            .count(),
            total_closed_stock_alerts=access.stock_alerts_of(user)
            .filter(status=access.StockAlert.CLOSED)
            .count(),
            total_orders=orders.count(),
            total_lines=lines.count(),
            total_revenue=_line_total(lines),
            order_status_breakdown=orders.order_by("status")
            .values("status")
            .annotate(freq=Count("id")),
        )
        return stats
