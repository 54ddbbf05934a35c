import oscar.apps.dashboard.catalogue.apps as apps
from oscar.core.loading import get_class


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    name = "shop.dashboard.catalogue"

    def configure_permissions(self):
        """A member of an organisation also sees the stock alerts of their own
        organisation (the list is filtered by ``shop.access.stock_alerts_of``)."""
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        self.permissions_map["stock-alert-list"] = (
            DashboardPermission.get("partner", "view_stockalert"),
            DashboardPermission.partner_dashboard_access,
        )
