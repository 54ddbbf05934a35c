import oscar.apps.dashboard.orders.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    """Oscar's order dashboard, plus each order's receipt (page and PDF) and the CSV
    export of a date range; staff and members of an organisation reach them, and the
    views themselves limit a member to their own organisation's orders."""

    name = "shop.dashboard.orders"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        for name in ("order-receipt", "order-receipt-pdf", "order-export"):
            self.permissions_map[name] = (
                DashboardPermission.get("order", "view_order"),
                DashboardPermission.partner_dashboard_access,
            )

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        super().ready()
        self.order_export_view = get_class("dashboard.orders.views", "OrderExportView")
        self.order_receipt_view = get_class("dashboard.orders.views", "OrderReceiptView")
        self.order_receipt_pdf_view = get_class("dashboard.orders.views", "OrderReceiptPdfView")

    def get_urls(self):
        urls = [
            # Before Oscar's "<number>/", which would take "export" for an order number.
            path("export/", self.order_export_view.as_view(), name="order-export"),
            path(
                "<str:number>/receipt/",
                self.order_receipt_view.as_view(),
                name="order-receipt",
            ),
            path(
                "<str:number>/receipt/pdf/",
                self.order_receipt_pdf_view.as_view(),
                name="order-receipt-pdf",
            ),
        ]
        return self.post_process_urls(urls) + super().get_urls()
