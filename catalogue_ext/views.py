"""The catalogue's views: Oscar's product page, and the listing engine for the
catalogue and its categories (Oscar loads ``CatalogueView`` and ``ProductCategoryView``
from here)."""

from oscar.apps.catalogue.views import *  # noqa: F403

from catalogue_ext.listing_views import CatalogueListView, CategoryListView

CatalogueView = CatalogueListView
ProductCategoryView = CategoryListView
