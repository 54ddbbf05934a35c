"""Product cards of the listing pages, read from the shared cache before any product is
loaded.

A card is cached under a version of what it shows (see ``card_version``). The version of
a page's 24 cards comes from one narrow query, the cards from one cache read, and only
the products whose card is missing are loaded and rendered: on a warm cache a listing
page builds no product objects at all.
"""

import functools
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils.translation import get_language
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
Option = get_model("catalogue", "Option")
StockRecord = get_model("partner", "StockRecord")

# The fragment name of the card in templates/oscar/catalogue/partials/product.html.
CARD_FRAGMENT = "product-card"


def _stamp(moment):
    return moment.isoformat() if moment else ""


def card_version(
    *,
    pk,
    date_updated,
    has_options,
    product_class,
    image_name,
    stockrecord,
):
    """Everything a product card shows, as one string: the product (its
    ``date_updated``), its class (VAT rate, goods or services, stock tracking), its first
    image, and its stock record (its ``date_updated``, and the price and stock, which
    stock reservations change without touching the date).

    ``product_class`` is ``(pk, vat_rate, kind, track_stock)`` or None; ``stockrecord``
    is ``(pk, date_updated, price, currency, num_in_stock, num_allocated)`` or None.
    """
    parts = [pk, _stamp(date_updated), bool(has_options)]
    parts += list(product_class) if product_class else ["", "", "", ""]
    parts.append(image_name or "")
    if stockrecord:
        pk_, updated, *rest = stockrecord
        parts += [pk_, _stamp(updated), *rest]
    return "|".join(map(str, parts))


def card_version_of(product):
    """``card_version`` of a product whose stock records and images were prefetched."""
    product_class = product.get_product_class()
    stockrecord = next(iter(product.stockrecords.all()), None)
    images = list(product.images.all())
    image = min(images, key=lambda image: (image.display_order, image.pk)) if images else None
    return card_version(
        pk=product.pk,
        date_updated=product.date_updated,
        has_options=product.has_options,
        product_class=(
            (
                product_class.pk,
                product_class.vat_rate,
                product_class.kind,
                product_class.track_stock,
            )
            if product_class
            else None
        ),
        image_name=image.original.name if image else "",
        stockrecord=(
            (
                stockrecord.pk,
                stockrecord.date_updated,
                stockrecord.price,
                stockrecord.price_currency,
                stockrecord.num_in_stock,
                stockrecord.num_allocated,
            )
            if stockrecord
            else None
        ),
    )


def card_versions(product_ids):
    """``{pk: card_version}`` of the listed products ``product_ids`` (products without
    a stock record are never listed), in one query."""
    versions = {}
    rows = _version_rows().filter(product_id__in=product_ids)
    for pk, updated, class_options, product_options, class_pk, *rest in rows:
        vat_rate, kind, track_stock, image_name, *stockrecord = rest
        versions[pk] = card_version(
            pk=pk,
            date_updated=updated,
            has_options=class_options or product_options,
            product_class=(class_pk, vat_rate, kind, track_stock) if class_pk else None,
            image_name=image_name,
            stockrecord=stockrecord,
        )
    return versions


@functools.cache
def _version_rows():
    """The rows ``card_versions`` reads, built once: resolving the subqueries costs more
    than running them. Read from the stock records (every listed product has its one),
    so that PostgreSQL joins by index."""
    first_image = (
        ProductImage.objects.filter(product=OuterRef("product_id"))
        .order_by("display_order", "pk")
        .values("original")[:1]
    )
    return (
        StockRecord.objects.annotate(
            _class_options=Exists(
                Option.objects.filter(productclass=OuterRef("product__product_class"))
            ),
            _product_options=Exists(Option.objects.filter(product=OuterRef("product_id"))),
            _first_image=Subquery(first_image),
        )
        .values_list(
            "product_id",
            "product__date_updated",
            "_class_options",
            "_product_options",
            "product__product_class_id",
            "product__product_class__vat_rate",
            "product__product_class__kind",
            "product__product_class__track_stock",
            "_first_image",
            "pk",
            "date_updated",
            "price",
            "price_currency",
            "num_in_stock",
            "num_allocated",
        )
        .order_by()
    )


def card_cache_key(version):
    """The key ``{% sharedcache … "product-card" version %}`` stores the card under."""
    return make_template_fragment_key(CARD_FRAGMENT, [get_language(), version])


def load_card_products(product_ids):
    """The products with what a card shows, in a fixed number of queries, in the order
    of ``product_ids``."""
    products = (
        Product.objects.filter(pk__in=product_ids)
        .select_related("product_class")
        .annotate(
            has_product_class_options=Exists(
                Option.objects.filter(productclass=OuterRef("product_class"))
            ),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related(
            Prefetch("stockrecords", StockRecord.objects.select_related("partner")),
            "images",
            "certifications",
        )
    )
    by_id = {product.pk: product for product in products}
    return [by_id[pk] for pk in product_ids if pk in by_id]


@dataclass
class Card:
    """One card of a listing: its cached HTML, or the product to render it from."""

    pk: int
    version: str
    html: str | None = None
    product: object = None


def product_cards(product_ids):
    """The cards of ``product_ids`` in their order, each from the cache when it is
    there; products no longer listable are left out."""
    versions = card_versions(product_ids)
    keys = {pk: card_cache_key(version) for pk, version in versions.items()}
    cached = cache.get_many(list(keys.values())) if keys else {}
    cards = [
        Card(pk=pk, version=versions[pk], html=cached.get(keys[pk]))
        for pk in product_ids
        if pk in versions
    ]
    missing = [card for card in cards if card.html is None]
    if missing:
        products = {product.pk: product for product in load_card_products([c.pk for c in missing])}
        for card in missing:
            card.product = products.get(card.pk)
            if card.product is not None:
                # The card's template caches it under the version read here.
                card.product._card_version = card.version
        cards = [card for card in cards if card.html is not None or card.product is not None]
    return cards
