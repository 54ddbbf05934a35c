"""Reads for the organisation directory and the storefronts; each page in fixed queries."""

from django.db.models import Count, Min, Q
from oscar.core.loading import get_model

from shop.selectors import public_products

Partner = get_model("partner", "Partner")

PRODUCT_SORTS = {
    "newest": ("-date_created", "-id"),
    "price-asc": ("min_price", "id"),
    "price-desc": ("-min_price", "-id"),
    "title": ("title", "id"),
}
DEFAULT_PRODUCT_SORT = "newest"


def public_organisations(*, region="", legal_form=""):
    """Verified organisations, filtered, with the number of public products of each."""
    organisations = Partner.objects.verified()
    if region:
        organisations = organisations.filter(region=region)
    if legal_form:
        organisations = organisations.filter(legal_form=legal_form)
    return organisations.annotate(
        num_products=Count(
            "stockrecords",
            filter=Q(stockrecords__product__is_public=True),
            distinct=True,
        )
    ).order_by("name", "id")


def organisation_for_storefront(*, slug, user):
    """The organisation at ``slug`` if ``user`` may see its storefront, else None.

    Verified organisations are public; an unverified one is seen by its own members and by
    platform staff only, so that they can prepare it before it is verified.
    """
    organisation = Partner.objects.filter(code=slug).prefetch_related("addresses__country").first()
    if organisation is None or organisation.is_verified:
        return organisation
    if user.is_authenticated and (user.is_staff or organisation.users.filter(pk=user.pk).exists()):
        return organisation
    return None


def storefront_products(organisation, *, sort=DEFAULT_PRODUCT_SORT):
    ordering = PRODUCT_SORTS.get(sort, PRODUCT_SORTS[DEFAULT_PRODUCT_SORT])
    return (
        public_products()
        .filter(stockrecords__partner=organisation)
        .annotate(min_price=Min("stockrecords__price"))
        .order_by(*ordering)
    )
