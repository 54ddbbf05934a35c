"""Oscar's root app, with its URLs laid out as in the platform's URL map."""

from django.urls import include, path
from oscar.config import Shop


class CoopShopConfig(Shop):
    """Mount the shop under /market/, the account pages at /accounts/ and the dashboard
    at /dashboard/, instead of Oscar's single flat tree."""

    def get_urls(self):
        from shop import views

        password_reset_urls = [
            pattern
            for pattern in super().get_urls()
            if str(pattern.pattern).startswith("password-reset/")
        ]
        market_urls = [
            path("", views.MarketView.as_view(), name="market"),
            path("catalogue/", self.catalogue_app.urls),
            path("basket/", self.basket_app.urls),
            path("checkout/", self.checkout_app.urls),
            path("search/", include("catalogue_ext.search_urls")),
            path("offers/", self.offer_app.urls),
            path("wishlists/", self.wishlists_app.urls),
            path("organisations/<slug:slug>/products/import/", include("catalogue_ext.urls")),
            path("organisations/", include("shop.organisations.urls")),
        ]
        return [
            path("market/", include(market_urls)),
            path("accounts/", self.customer_app.urls),
            path("accounts/", include(password_reset_urls)),
            path("dashboard/", self.dashboard_app.urls),
        ]
