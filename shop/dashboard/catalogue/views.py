"""Oscar's catalogue dashboard: a member of an organisation reaches only the products,
stock records and stock alerts of their own organisations, through ``shop.access``."""

from django.shortcuts import get_object_or_404
from oscar.apps.dashboard.catalogue import views as oscar_views
from oscar.core.loading import get_model

from shop import access

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")


class OrganisationProductsMixin:
    """Replaces Oscar's PartnerProductFilterMixin by the gatekeeper."""

    def filter_queryset(self, queryset):
        return queryset.filter(pk__in=access.products_of(self.request.user).values("pk"))


class ProductListView(OrganisationProductsMixin, oscar_views.ProductListView):
    pass


class ProductBulkActionConfirmView(oscar_views.ProductBulkActionConfirmView):
    def get_selectable_queryset(self):
        if not hasattr(self, "_selectable_qs"):
            queryset = super().get_selectable_queryset()
            self._selectable_qs = queryset.filter(
                pk__in=access.products_of(self.request.user).values("pk")
            )
        return self._selectable_qs


class ProductCreateUpdateView(OrganisationProductsMixin, oscar_views.ProductCreateUpdateView):
    def get_object(self, queryset=None):
        user = self.request.user
        self.creating = "pk" not in self.kwargs
        if not self.creating:
            product = access.access_organisation_product(user, self.kwargs["pk"])
            self.product_class = product.get_product_class()
            self.parent = product.parent
            return product
        parent_pk = self.kwargs.get("parent_pk")
        if parent_pk is None:
            self.parent = None
            self.product_class = get_object_or_404(
                ProductClass, slug=self.kwargs.get("product_class_slug")
            )
        else:
            self.parent = access.access_organisation_product(user, parent_pk)
            self.product_class = self.parent.product_class
        return None


class ProductDeleteView(OrganisationProductsMixin, oscar_views.ProductDeleteView):
    def get_object(self, queryset=None):
        return access.access_organisation_product(self.request.user, self.kwargs["pk"])


class ProductLookupView(oscar_views.ProductLookupView):
    def get_queryset(self):
        return (
            super().get_queryset().filter(pk__in=access.products_of(self.request.user).values("pk"))
        )


class StockAlertListView(oscar_views.StockAlertListView):
    def get_queryset(self):
        alerts = super().get_queryset()
        return alerts.filter(pk__in=access.stock_alerts_of(self.request.user).values("pk"))
