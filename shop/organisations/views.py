from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import ListView, TemplateView

from shop.organisations import selectors
from shop.organisations.forms import OrganisationFilterForm, ProductSortForm
from shop.organisations.selectors import DEFAULT_PRODUCT_SORT


class OrganisationListView(ListView):
    """The directory of the network's verified organisations."""

    template_name = "shop/organisations/list.html"
    context_object_name = "organisations"
    paginate_by = 24

    def get_queryset(self):
        self.filter_form = OrganisationFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.public_organisations(
            region=filters.get("region", ""), legal_form=filters.get("legal_form", "")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["query_without_page"] = _query_without_page(self.request)
        return context


class StorefrontView(TemplateView):
    """An organisation's own storefront: its profile and what it offers."""

    template_name = "shop/organisations/storefront.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = selectors.organisation_for_storefront(
            slug=kwargs["slug"], user=self.request.user
        )
        if organisation is None:
            raise Http404
        sort_form = ProductSortForm(self.request.GET or {"sort": DEFAULT_PRODUCT_SORT})
        sort = sort_form.cleaned_data.get("sort") if sort_form.is_valid() else ""
        products = selectors.storefront_products(organisation, sort=sort or DEFAULT_PRODUCT_SORT)
        page = Paginator(products, settings.OSCAR_PRODUCTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            organisation=organisation,
            address=next(iter(organisation.addresses.all()), None),
            sort_form=sort_form,
            page_obj=page,
            products=page.object_list,
            query_without_page=_query_without_page(self.request),
        )
        return context


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
