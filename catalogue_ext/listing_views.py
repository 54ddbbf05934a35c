"""The market's product search and the catalogue pages, all on one listing engine."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from catalogue_ext.listing import build_listing

Category = get_model("catalogue", "Category")


class ListingView(TemplateView):
    template_name = "catalogue_ext/listing.html"
    title = ""
    scope_category = None

    def get_scope_category(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = build_listing(self.request.GET, scope_category=self.scope_category)
        context.update(
            listing=listing,
            products=listing.products,
            page_obj=listing.page_obj,
            paginator=listing.paginator,
            summary=self.get_title(listing),
            category=self.scope_category,
            form_action=self.request.path,
        )
        return context

    def get_title(self, listing):
        return self.title


class MarketSearchView(ListingView):
    """``/market/search/``: products and services found by words, with facets."""

    def get_title(self, listing):
        if listing.query:
            return _("Products and services for “%(query)s”") % {"query": listing.query}
        return _("Search products and services")


class CatalogueListView(ListingView):
    """``/market/catalogue/``: every product and service, browsed with the same facets."""

    title = _("All products and services")


class CategoryListView(ListingView):
    """``/market/catalogue/category/<slug>_<pk>/``: one category and its descendants."""

    def get(self, request, *args, **kwargs):
        category = get_object_or_404(Category, pk=kwargs["pk"])
        if not category.is_public or not category.ancestors_are_public:
            raise Http404
        expected = category.get_absolute_url()
        if expected != request.path and not request.path.endswith(expected):
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(expected + (f"?{query}" if query else ""))
        self.scope_category = category
        return super().get(request, *args, **kwargs)

    def get_title(self, listing):
        return self.scope_category.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category, step = self.scope_category, Category.steplen
        prefixes = [category.path[:end] for end in range(step, len(category.path), step)]
        context["ancestors"] = list(Category.objects.filter(path__in=prefixes).order_by("path"))
        return context
