"""Reads for the organisation directory and the storefronts; each page in fixed queries."""

from django.db.models import Count, Min, Q
from django.utils import timezone
from oscar.core.loading import get_model

from shop.partner.models import INVITATION_VALID_FOR
from shop.selectors import public_products

Partner = get_model("partner", "Partner")
Invitation = get_model("partner", "Invitation")
JoinRequest = get_model("partner", "JoinRequest")

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

    Verified organisations are public; an unverified one is seen by its own members (to
    prepare it), by platform staff and by the members of verified organisations (who may
    vouch for it), so that it can be verified.
    """
    organisation = Partner.objects.filter(code=slug).prefetch_related("addresses__country").first()
    if organisation is None or organisation.is_verified:
        return organisation
    if user.is_authenticated and (
        user.is_staff
        or organisation.users.filter(pk=user.pk).exists()
        or user.partners.filter(is_verified=True).exists()
    ):
        return organisation
    return None


def storefront_products(organisation, *, sort=DEFAULT_PRODUCT_SORT, certification="", kind=""):
    ordering = PRODUCT_SORTS.get(sort, PRODUCT_SORTS[DEFAULT_PRODUCT_SORT])
    products = public_products().filter(stockrecords__partner=organisation)
    if certification:
        products = products.filter(certifications__code=certification)
    if kind:
        products = products.filter(product_class__kind=kind)
    return products.annotate(min_price=Min("stockrecords__price")).order_by(*ordering)


# Membership and verification ----------------------------------------------------------


def organisations_of(user):
    """The organisations ``user`` is a member of."""
    return user.partners.order_by("name", "id")


def open_invitations(queryset):
    cutoff = timezone.now() - INVITATION_VALID_FOR
    return queryset.filter(accepted_at__isnull=True, created__gt=cutoff)


def invitations_for(user):
    """Invitations to ``user``'s e-mail address that can still be accepted."""
    if not user.email:
        return Invitation.objects.none()
    return open_invitations(Invitation.objects.filter(email__iexact=user.email)).select_related(
        "organisation"
    )


def join_requests_of(user):
    return (
        JoinRequest.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-created", "-id")
    )


def members_of(organisation):
    return organisation.users.order_by("first_name", "last_name", "email", "id")


def pending_join_requests(organisation):
    return JoinRequest.objects.filter(
        organisation=organisation, status=JoinRequest.Status.PENDING
    ).select_related("user")


def pending_invitations(organisation):
    return open_invitations(organisation.invitations.all()).select_related("invited_by")


def vouches_for(organisation):
    return organisation.vouches.select_related("voucher_organisation").order_by("created", "id")


def membership_context(*, organisation, user):
    """What the storefront offers ``user`` about membership and verification."""
    context = {
        "is_member": False,
        "has_pending_request": False,
        "can_vouch": False,
        "can_verify": False,
        "vouches": [],
    }
    if not user.is_authenticated:
        return context
    context["is_member"] = organisation.users.filter(pk=user.pk).exists()
    if not context["is_member"]:
        context["has_pending_request"] = JoinRequest.objects.filter(
            organisation=organisation, user=user, status=JoinRequest.Status.PENDING
        ).exists()
    if not organisation.is_verified:
        context["vouches"] = list(vouches_for(organisation))
        context["can_verify"] = user.is_staff
        context["can_vouch"] = not context["is_member"] and (
            user.partners.filter(is_verified=True)
            .exclude(vouches_given__organisation=organisation)
            .exists()
        )
    return context


def awaiting_vouch_from(user):
    """Unverified organisations ``user`` may vouch for: none if not in a verified one."""
    own_verified = user.partners.filter(is_verified=True)
    if not own_verified.exists():
        return Partner.objects.none()
    return (
        Partner.objects.filter(is_verified=False)
        .exclude(users=user)
        .exclude(vouches__voucher_organisation__in=own_verified)
        .order_by("name", "id")
    )
