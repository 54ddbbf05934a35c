"""Reads for the organisation directory and the storefronts; each page in fixed queries."""

import math
import unicodedata

from django.db import NotSupportedError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.partner.models import INVITATION_VALID_FOR, Region
from shop.selectors import public_products
from shop.text import fold_for_search

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Invitation = get_model("partner", "Invitation")
JoinRequest = get_model("partner", "JoinRequest")

PRODUCT_SORTS = {
    "newest": ("-date_created", "-id"),
    "price-asc": ("min_price", "id"),
    "price-desc": ("-min_price", "-id"),
    "title": ("title", "id"),
}
DEFAULT_PRODUCT_SORT = "newest"


ORGANISATION_SORTS = {
    "name": ("name", "id"),
    "newest": ("-created", "-id"),
}
DEFAULT_ORGANISATION_SORT = "name"
NEAREST = "nearest"
# The map shows at most this many organisations (the list below it shows them all).
MAP_LIMIT = 2000
KM_PER_DEGREE = 111.195


def public_organisations(
    *,
    q="",
    region="",
    legal_form="",
    certification="",
    kind="",
    sort=DEFAULT_ORGANISATION_SORT,
    near=None,
):
    """Verified organisations, filtered and sorted, with the number of public products.

    ``certification`` keeps organisations offering at least one visible product with that
    certification, ``kind`` ("good" or "service") those offering at least one visible
    product of that kind. ``q`` matches every word in the name, municipality or
    description, ignoring case and accents. Sorting by ``nearest`` needs ``near``
    (latitude, longitude); organisations without coordinates come last. With ``near``
    each organisation has ``distance_sq``, see ``distance_km``.
    """
    # Counted per shown organisation (a subquery the database runs for the page's rows
    # only), not grouped over every stock record of the market before paginating.
    public_products = (
        StockRecord.objects.filter(partner=OuterRef("pk"), product__is_public=True)
        .order_by()
        .values("partner")
        .annotate(count=Count("product", distinct=True))
        .values("count")
    )
    organisations = filtered_organisations(
        q=q, region=region, legal_form=legal_form, certification=certification, kind=kind
    ).annotate(num_products=Coalesce(Subquery(public_products, output_field=IntegerField()), 0))
    if near is not None:
        organisations = organisations.annotate(distance_sq=_distance_sq(near))
    if sort == NEAREST and near is not None:
        return organisations.order_by(F("distance_sq").asc(nulls_last=True), "name", "id")
    ordering = ORGANISATION_SORTS.get(sort, ORGANISATION_SORTS[DEFAULT_ORGANISATION_SORT])
    return organisations.order_by(*ordering)


def filtered_organisations(*, q="", region="", legal_form="", certification="", kind=""):
    organisations = Partner.objects.verified()
    if region:
        organisations = organisations.filter(region=region)
    if legal_form:
        organisations = organisations.filter(legal_form=legal_form)
    if certification:
        organisations = organisations.filter(
            Exists(_visible_products_of_outer().filter(certifications__code=certification))
        )
    if kind:
        organisations = organisations.filter(
            Exists(_visible_products_of_outer().filter(product_class__kind=kind))
        )
    words = fold_for_search(q).split()
    if words:
        text = Concat(
            "name", Value(" "), "municipality", Value(" "), "description", output_field=TextField()
        )
        for word in words:
            organisations = organisations.filter(FoldedContains(text, word))
    return organisations


def organisations_for_map(**filters):
    """The filtered organisations that have coordinates, as the map's markers need them.

    One query; at most ``MAP_LIMIT`` of them, in name order.
    """
    rows = (
        filtered_organisations(**filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("name", "id")
        .values_list("name", "code", "latitude", "longitude", "region")[:MAP_LIMIT]
    )
    placeholder = "organisation-slug"
    url_pattern = reverse("organisations:storefront", kwargs={"slug": placeholder})
    regions = dict(Region.choices)
    return [
        {
            "name": name,
            "url": url_pattern.replace(placeholder, code),
            "lat": float(latitude),
            "lng": float(longitude),
            "region": str(regions.get(region, "")),
        }
        for name, code, latitude, longitude, region in rows
    ]


def distance_km(organisation):
    """Approximate distance in km from the ``near`` point, or None (no coordinates)."""
    distance_sq = getattr(organisation, "distance_sq", None)
    if distance_sq is None:
        return None
    return math.sqrt(distance_sq) * KM_PER_DEGREE


def _visible_products_of_outer():
    return Product.objects.browsable().filter(stockrecords__partner=OuterRef("pk"))


def _distance_sq(near):
    """Squared equirectangular distance in degrees of latitude, in plain SQL arithmetic.

    Longitude differences shrink by the cosine of the point's latitude, computed here,
    so the database only multiplies and adds (the same on SQLite and PostgreSQL).
    """
    latitude, longitude = near
    shrink = math.cos(math.radians(latitude))
    d_lat = Cast("latitude", FloatField()) - Value(latitude, output_field=FloatField())
    d_lng = (Cast("longitude", FloatField()) - Value(longitude, output_field=FloatField())) * Value(
        shrink, output_field=FloatField()
    )
    return ExpressionWrapper(d_lat * d_lat + d_lng * d_lng, output_field=FloatField())


def _letter_variants():
    """For each folded letter, every Greek or Latin letter that folds to it.

    ``{"α": "αΑάΆ…", "s": "sSśŚ…", …}``: a word folded by ``fold_for_search`` becomes a
    pattern with one class of variants per letter, which the database compares with the
    text as stored, with no per-row function of ours.
    """
    ranges = [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x370, 0x3FF), (0x1F00, 0x1FFF)]
    variants = {}
    for first, last in ranges:
        for char in map(chr, range(first, last + 1)):
            folded_char = fold_for_search(char)
            if unicodedata.category(char).startswith("L") and len(folded_char) == 1:
                variants.setdefault(folded_char, {folded_char}).add(char)
    return {base: "".join(sorted(chars)) for base, chars in variants.items()}


_LETTER_VARIANTS = _letter_variants()


class FoldedContains(Func):
    """True where ``expression`` contains ``word`` (already folded by ``fold_for_search``)
    ignoring case, accents and the form of sigma: ``Μελισσοκόμοι ΧΑΛΚΙΔΙΚΗΣ`` contains
    ``χαλκιδικησ``. SQLite compares with GLOB, PostgreSQL with a regular expression."""

    output_field = BooleanField()

    def __init__(self, expression, word):
        self.word = word
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "sqlite":
            return f"({sql} GLOB %s)", (*params, f"*{self._pattern(_glob_char)}*")
        if connection.vendor == "postgresql":
            return f"({sql} ~ %s)", (*params, self._pattern(_regex_char))
        raise NotSupportedError("Text search of organisations needs SQLite or PostgreSQL.")

    def _pattern(self, literal):
        return "".join(
            f"[{_LETTER_VARIANTS[char]}]" if char in _LETTER_VARIANTS else literal(char)
            for char in self.word
        )


def _glob_char(char):
    return f"[{char}]" if char in "*?[" else char


def _regex_char(char):
    return char if char.isalnum() else "\\" + char


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
