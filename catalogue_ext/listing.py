"""One listing engine for the market's product search and the catalogue pages.

Given the request's GET parameters (``q``, the filters, ``sort``, ``page``) it finds the
matched products (the index's ids when there is a query, else every visible product),
applies the filters in the database, counts every facet value from the database (one
aggregate query per facet: the count shown next to a value is the number of results
that following its link gives) and loads only the products of the requested page.

The number of queries does not depend on how many products match or are shown.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, Substr
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue_ext.cards import load_card_products, product_cards
from catalogue_ext.models import CERTIFICATION_LABELS, ProductKind
from catalogue_ext.search import matching_product_ids
from shop.page_cache import cached_on_content
from shop.partner.models import LegalForm, Region

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
Option = get_model("catalogue", "Option")
StockRecord = get_model("partner", "StockRecord")
ProductCertification = Product.certifications.through

PER_PAGE = 24
# Organisations shown in their facet: the ones with most results (and the chosen one).
MAX_ORGANISATIONS = 20

# Price bands of the price a shopper pays (VAT included): (key, from, below).
PRICE_BANDS = [
    ("0-5", None, Decimal("5")),
    ("5-10", Decimal("5"), Decimal("10")),
    ("10-20", Decimal("10"), Decimal("20")),
    ("20-50", Decimal("20"), Decimal("50")),
    ("50-", Decimal("50"), None),
]
PRICE_BAND_LABELS = {
    "0-5": _("Under 5 €"),
    "5-10": _("5 to 10 €"),
    "10-20": _("10 to 20 €"),
    "20-50": _("20 to 50 €"),
    "50-": _("50 € and over"),
}
KIND_LABELS = {ProductKind.GOOD: _("Products"), ProductKind.SERVICE: _("Services")}

# The filters, in the order the page shows them; each is one GET parameter.
FILTERS = [
    ("category", _("Category")),
    ("kind", _("Products or services")),
    ("region", _("Region")),
    ("certification", _("Certification")),
    ("price", _("Price (incl. VAT)")),
    ("in_stock", _("Availability")),
    ("legal_form", _("Legal form")),
    ("organisation", _("Organisation")),
]
FILTER_KEYS = [key for key, _label in FILTERS]

SORT_LABELS = {
    "relevance": _("Relevance"),
    "newest": _("Newest"),
    "price-asc": _("Price: lowest first"),
    "price-desc": _("Price: highest first"),
    "name": pgettext_lazy("sort order", "Name"),
    "nearest": _("Nearest"),
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str  # selects the value, or removes it when it is selected
    depth: int = 0


@dataclass
class Facet:
    key: str
    label: str
    values: list = field(default_factory=list)


@dataclass
class SelectedFilter:
    key: str
    facet_label: str
    label: str
    remove_url: str


# Filters the organisation directory understands with the same names and values.
ORGANISATION_DIRECTORY_FILTERS = ("region", "legal_form", "certification", "kind")


@dataclass
class Listing:
    query: str
    cards: list  # catalogue_ext.cards.Card of the page, in order
    products: list
    page_obj: object
    paginator: object
    facets: list
    selected: list
    sort: str
    sort_options: list
    near: tuple | None
    hidden_params: list  # (name, value) the search form carries over
    clear_url: str

    @property
    def map_url(self):
        """The organisation directory's map with the filters both pages share (region,
        legal form, certification, goods or services)."""
        shared = {
            key: value for key, value in self.hidden_params if key in ORGANISATION_DIRECTORY_FILTERS
        }
        query = f"?{urlencode(shared)}" if shared else ""
        return f"{reverse('organisations:list')}{query}#organisations-map"

    @property
    def count(self):
        return self.paginator.count


# Visibility and the annotations everything else works on ---------------------------


def visible_products():
    """The products a shopper may see: the same rule as the search index (public,
    canonical, offered by a verified organisation), with the organisation's and the
    price's fields annotated from the product's one stock record."""
    # Resolving these nested annotations costs milliseconds; a clone costs microseconds.
    rates = tuple(settings.VAT_RATES.items())
    if _visible_products_built.get(rates) is None:
        _visible_products_built.clear()
        _visible_products_built[rates] = _build_visible_products(dict(rates))
    return _visible_products_built[rates].all()


_visible_products_built = {}


def _build_visible_products(rates):
    price = Cast("stockrecords__price", FloatField())
    vat = Case(
        *[
            When(product_class__vat_rate=code, then=Value(float(rate)))
            for code, rate in rates.items()
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )
    net_stock = Coalesce("stockrecords__num_in_stock", 0) - Coalesce(
        "stockrecords__num_allocated", 0
    )
    queryset = (
        Product.objects.filter(parent=None, is_public=True, stockrecords__partner__is_verified=True)
        # The joins of the filter above are reused: one stock record per product.
        .annotate(
            _organisation=F("stockrecords__partner__code"),
            _organisation_name=F("stockrecords__partner__name"),
            _legal_form=F("stockrecords__partner__legal_form"),
            _region=F("stockrecords__partner__region"),
            _latitude=Cast("stockrecords__partner__latitude", FloatField()),
            _longitude=Cast("stockrecords__partner__longitude", FloatField()),
            _kind=F("product_class__kind"),
            # Tax is rounded to the cent, as GreekVAT does.
            _price=Round(price + Round(price * vat, 2), 2),
            _net_stock=net_stock,
        )
    )
    return queryset.annotate(
        _price_band=Case(
            *[When(_band_condition(low, high), then=Value(key)) for key, low, high in PRICE_BANDS],
            default=Value(""),
            output_field=CharField(),
        ),
        _in_stock=Case(
            When(_in_stock_condition(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _band_condition(low, high):
    condition = Q()
    if low is not None:
        condition &= Q(_price__gte=float(low))
    if high is not None:
        condition &= Q(_price__lt=float(high))
    return condition


def _in_stock_condition():
    """Net stock above zero, or stock not tracked (as GreekStrategy decides: a service
    with a stock level counts its places even when its class does not track stock)."""
    untracked = Q(product_class__track_stock=False) & (
        Q(stockrecords__num_in_stock=None) | ~Q(product_class__kind=ProductKind.SERVICE)
    )
    return Q(_net_stock__gt=0) | untracked


# Reading the GET parameters --------------------------------------------------------


def parse_near(value):
    """``"lat,lng"`` → (lat, lng), or None when it is not a valid position."""
    try:
        lat, lng = (float(part) for part in (value or "").split(","))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        return None
    return lat, lng


def _clean_params(params):
    """The filters, query, sort and position the request asks for, one value each."""
    cleaned = {}
    for key in ["q", *FILTER_KEYS, "sort", "near"]:
        value = (params.get(key) or "").strip()
        if value:
            cleaned[key] = value
    if cleaned.get("in_stock") not in (None, "1"):
        cleaned.pop("in_stock")
    return cleaned


def url_for(params, **changes):
    """A relative URL of the same page with ``changes`` applied (None removes a
    parameter); the page number is dropped, as the results change."""
    merged = {key: value for key, value in params.items() if key != "page"}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    ordered = [(key, merged[key]) for key in ["q", *FILTER_KEYS, "near", "sort"] if key in merged]
    return "?" + urlencode(ordered) if ordered else "."


# Categories ------------------------------------------------------------------------


class CategoryTree:
    """The browsable categories, loaded in one query, addressed by their full slug."""

    def __init__(self):
        # Read on every listing page, changed rarely: kept until the market changes.
        self.categories = cached_on_content(
            ["market"], "category-tree", lambda: list(Category.objects.browsable().order_by("path"))
        )
        by_path = {category.path: category for category in self.categories}
        step = Category.steplen
        self.by_slug = {}
        for category in self.categories:
            slugs = [
                by_path[category.path[:end]].slug
                for end in range(step, len(category.path) + 1, step)
                if category.path[:end] in by_path
            ]
            category.listing_slug = "/".join(slugs)
            self.by_slug[category.listing_slug] = category

    def candidates(self, selected, scope):
        """Categories worth offering: the top of the tree (or of the scope), and the
        children of the selected one and of each of its ancestors."""
        top = scope.path if scope else ""
        top_depth = scope.depth + 1 if scope else 1
        opened = {top}
        if selected:
            opened.update(
                selected.path[:end] for end in range(0, len(selected.path) + 1, Category.steplen)
            )
        return [
            category
            for category in self.categories
            if category.path.startswith(top)
            and category.depth >= top_depth
            and category.path[: -Category.steplen] in opened
        ]


def _in_category(category):
    return Exists(
        ProductCategory.objects.filter(
            product_id=OuterRef("pk"), category__path__startswith=category.path
        )
    )


def _subtree_counts(queryset, categories):
    """``{category path: number of products of queryset in its subtree}``, in one query.

    A category's path is the prefix of its descendants' paths, ``depth × steplen`` long:
    each product's category rows are grouped by their prefix at the candidates' depths,
    and a product counted once per subtree however many of its categories lie there.
    """
    matched = queryset.order_by().values("pk")
    by_depth = {}
    for category in categories:
        by_depth.setdefault(category.depth, []).append(category.path)
    grouped = [
        ProductCategory.objects.filter(product__in=matched)
        .annotate(prefix=Substr("category__path", 1, depth * Category.steplen))
        .filter(prefix__in=paths)
        .values("prefix")
        .annotate(products=Count("product_id", distinct=True))
        .values_list("prefix", "products")
        .order_by()
        for depth, paths in sorted(by_depth.items())
    ]
    rows = grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]
    return dict(rows)


# The engine ------------------------------------------------------------------------


class ListingEngine:
    def __init__(self, params, *, scope_category=None):
        self.params = _clean_params(params)
        self.page_number = params.get("page") or 1
        self.query = self.params.get("q", "")
        self.scope = scope_category
        self.near = parse_near(self.params.get("near"))
        if self.near is None:
            self.params.pop("near", None)
        self.tree = CategoryTree()
        self.selected_category = None
        if "category" in self.params:
            self.selected_category = self.tree.by_slug.get(self.params["category"])
        self.sort = self._sort()

    # -- sorting

    def sort_keys(self):
        keys = ["relevance"] if self.query else []
        keys += ["newest", "price-asc", "price-desc", "name"]
        if self.near:
            keys.append("nearest")
        return keys

    def _sort(self):
        requested = self.params.get("sort")
        if requested in self.sort_keys():
            return requested
        self.params.pop("sort", None)
        return "relevance" if self.query else "newest"

    # -- the matched set and its filters

    def matched(self):
        queryset = visible_products()
        if self.scope is not None:
            queryset = queryset.filter(_in_category(self.scope))
        if self.query:
            self.ranked_ids = cached_on_content(
                ["market"],
                f"product-search:{self.query}",
                lambda: matching_product_ids(self.query),
            )
            queryset = queryset.filter(pk__in=self.ranked_ids)
        return queryset

    def filter_condition(self, key, value):
        if key == "organisation":
            return Q(_organisation=value)
        if key == "legal_form":
            return Q(_legal_form=value)
        if key == "region":
            return Q(_region=value)
        if key == "kind":
            return Q(_kind=value)
        if key == "price":
            return Q(_price_band=value)
        if key == "in_stock":
            return Q(_in_stock=True)
        if key == "certification":
            return Q(
                Exists(
                    ProductCertification.objects.filter(
                        product_id=OuterRef("pk"), certification__code=value
                    )
                )
            )
        if key == "category":
            category = self.tree.by_slug.get(value)
            return Q(_in_category(category)) if category else Q(pk__in=[])
        raise KeyError(key)

    def filtered(self, base, *, without=None):
        queryset = base
        for key in FILTER_KEYS:
            if key != without and key in self.params:
                queryset = queryset.filter(self.filter_condition(key, self.params[key]))
        return queryset

    # -- facets: one aggregate query each, over the results without the facet's own
    # filter, so that each count is what choosing that value gives.

    def facets(self, base):
        facets = []
        for key, label in FILTERS:
            queryset = self.filtered(base, without=key)
            values = getattr(self, f"_facet_{key}")(queryset)
            facets.append(Facet(key=key, label=label, values=values))
        return facets

    def _value(self, key, value, label, count, depth=0):
        selected = self.params.get(key) == value
        url = url_for(self.params, **{key: None if selected else value})
        return FacetValue(value, str(label), count, selected, url, depth)

    def _grouped(self, queryset, *fields):
        return list(queryset.order_by().values(*fields).annotate(n=Count("pk")))

    def _choice_facet(self, key, field_name, labels):
        def facet(queryset):
            counts = {row[field_name]: row["n"] for row in self._grouped(queryset, field_name)}
            return [
                self._value(key, value, label, counts.get(value, 0))
                for value, label in labels
                if counts.get(value) or self.params.get(key) == value
            ]

        return facet

    def _facet_region(self, queryset):
        return self._choice_facet("region", "_region", Region.choices)(queryset)

    def _facet_legal_form(self, queryset):
        return self._choice_facet("legal_form", "_legal_form", LegalForm.choices)(queryset)

    def _facet_kind(self, queryset):
        return self._choice_facet("kind", "_kind", KIND_LABELS.items())(queryset)

    def _facet_price(self, queryset):
        labels = [(key, PRICE_BAND_LABELS[key]) for key, _low, _high in PRICE_BANDS]
        return self._choice_facet("price", "_price_band", labels)(queryset)

    def _facet_in_stock(self, queryset):
        counts = {row["_in_stock"]: row["n"] for row in self._grouped(queryset, "_in_stock")}
        count = counts.get(True, 0)
        if not count and "in_stock" not in self.params:
            return []
        return [self._value("in_stock", "1", _("In stock"), count)]

    def _facet_organisation(self, queryset):
        rows = self._grouped(queryset, "_organisation", "_organisation_name")
        rows.sort(key=lambda row: (-row["n"], row["_organisation_name"]))
        chosen = self.params.get("organisation")
        shown = rows[:MAX_ORGANISATIONS] + [
            row for row in rows[MAX_ORGANISATIONS:] if row["_organisation"] == chosen
        ]
        values = [
            self._value("organisation", row["_organisation"], row["_organisation_name"], row["n"])
            for row in shown
        ]
        if chosen and not any(value.selected for value in values):
            values.append(self._value("organisation", chosen, chosen, 0))
        return values

    def _facet_certification(self, queryset):
        rows = (
            ProductCertification.objects.filter(product_id__in=queryset.values("pk"))
            .values("certification__code", "certification__name", "certification__display_order")
            .annotate(n=Count("product_id", distinct=True))
            .order_by("certification__display_order", "certification__code")
        )
        chosen = self.params.get("certification")
        values = [
            self._value(
                "certification",
                row["certification__code"],
                CERTIFICATION_LABELS.get(row["certification__code"], row["certification__name"]),
                row["n"],
            )
            for row in rows
        ]
        if chosen and not any(value.selected for value in values):
            values.append(
                self._value("certification", chosen, CERTIFICATION_LABELS.get(chosen, chosen), 0)
            )
        return values

    def _facet_category(self, queryset):
        candidates = self.tree.candidates(self.selected_category, self.scope)
        if not candidates:
            return []
        counts = _subtree_counts(queryset, candidates)
        top_depth = self.scope.depth + 1 if self.scope else 1
        values = []
        for category in candidates:
            count = counts.get(category.path, 0)
            if count or category == self.selected_category:
                values.append(
                    self._value(
                        "category",
                        category.listing_slug,
                        category.name,
                        count,
                        depth=category.depth - top_depth,
                    )
                )
        return values

    # -- sorting and the page

    def ordered_ids_page(self, queryset):
        if self.sort == "relevance":
            rank = {pk: position for position, pk in enumerate(self.ranked_ids)}
            ids = sorted(queryset.order_by().values_list("pk", flat=True), key=rank.__getitem__)
            paginator = Paginator(ids, PER_PAGE)
            return paginator, paginator.get_page(self.page_number)
        if self.sort == "nearest":
            lat, lng = self.near
            scale = math.cos(math.radians(lat))
            d_lat = F("_latitude") - Value(lat)
            d_lng = (F("_longitude") - Value(lng)) * Value(scale)
            queryset = queryset.annotate(_distance=d_lat * d_lat + d_lng * d_lng)
            order = [F("_distance").asc(nulls_last=True), "pk"]
        else:
            order = {
                "newest": ["-date_created", "-pk"],
                "price-asc": ["_price", "pk"],
                "price-desc": ["-_price", "-pk"],
                "name": ["title", "pk"],
            }[self.sort]
        ids = queryset.order_by(*order).values_list("pk", flat=True)
        paginator = Paginator(ids, PER_PAGE)
        # Counting the matches takes a pass over every visible product: kept, like the
        # facet counts, until the market changes.
        scope = self.scope.pk if self.scope is not None else ""
        paginator.count = cached_on_content(
            ["market"], f"listing-count:{scope}:{sorted(self.params.items())}", queryset.count
        )
        page = paginator.get_page(self.page_number)
        page.object_list = list(page.object_list)
        return paginator, page

    def run(self):
        base = self.matched()
        if self.query and not self.ranked_ids:
            base = base.none()
        # The counts take an aggregate query per facet over every matched product: kept
        # until the market changes, per language (labels) and filters (links).
        scope = self.scope.pk if self.scope is not None else ""
        facets = cached_on_content(
            ["market"],
            f"listing-facets:{get_language()}:{scope}:{sorted(self.params.items())}",
            lambda: self.facets(base),
        )
        paginator, page = self.ordered_ids_page(self.filtered(base))
        ids = list(page.object_list)
        # The page shows cards, mostly from the cache; the products themselves are
        # loaded only if something asks for them.
        products = SimpleLazyObject(lambda: load_card_products(ids))
        page.object_list = products
        return Listing(
            query=self.query,
            cards=product_cards(ids),
            products=products,
            page_obj=page,
            paginator=paginator,
            facets=[facet for facet in facets if facet.values],
            selected=self.selected_filters(facets),
            sort=self.sort,
            sort_options=[
                (key, SORT_LABELS[key], url_for(self.params, sort=key), key == self.sort)
                for key in self.sort_keys()
            ],
            near=self.near,
            hidden_params=[(key, value) for key, value in self.params.items() if key != "q"],
            clear_url=url_for({key: self.params[key] for key in ("q",) if key in self.params}),
        )

    def selected_filters(self, facets):
        chosen = []
        for facet in facets:
            for value in facet.values:
                if value.selected:
                    chosen.append(
                        SelectedFilter(facet.key, str(facet.label), value.label, value.url)
                    )
        return chosen


def build_listing(params, *, scope_category=None):
    """The listing for the GET parameters ``params`` (a QueryDict or a dict)."""
    return ListingEngine(params, scope_category=scope_category).run()
