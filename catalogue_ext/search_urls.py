"""``/market/search/``: the market's product and service search (namespace "search")."""

from django.urls import path

from catalogue_ext.listing_views import MarketSearchView

app_name = "search"
urlpatterns = [path("", MarketSearchView.as_view(), name="search")]
