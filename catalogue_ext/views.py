"""The catalogue's views: Oscar's product page, and the listing engine for the
catalogue and its categories (Oscar loads ``ProductDetailView``, ``CatalogueView`` and
``ProductCategoryView`` from here)."""

from oscar.apps.catalogue.views import *  # noqa: F403
from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView

from catalogue_ext.listing_views import CatalogueListView, CategoryListView
from catalogue_ext.selectors import category_trail, products_for_detail_page

CatalogueView = CatalogueListView
ProductCategoryView = CategoryListView


class ProductDetailView(OscarProductDetailView):
    """Oscar's product page, with what it shows loaded in a fixed number of queries."""

    def get_queryset(self):
        return products_for_detail_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category_trail"] = category_trail(self.object)
        return context
