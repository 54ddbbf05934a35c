"""The product search index: only what a shopper may see is ever indexed.

Its text is also folded for accent- and case-insensitive Greek search.
Oscar's own ProductIndex is excluded in settings (HAYSTACK_EXCLUDED_INDEXES) and replaced
by this one, which leaves out hidden products and products of organisations that are
not verified yet, and drops a product from the index when it stops being visible.

``index_queryset`` fetches what a document needs (product class, stock records,
browsable categories) in a few queries per batch, and the price, stock and category
fields read that prefetched data, with the same results as Oscar's (which asks the
database several times per product).
"""

from django.db.models import Prefetch

# The module, not the class: haystack registers every index class found in this module.
from oscar.apps.search import search_indexes as oscar_search_indexes
from oscar.core.loading import get_model

from shop.text import searchable_text

Category = get_model("catalogue", "Category")


class ProductIndex(oscar_search_indexes.ProductIndex):
    def index_queryset(self, using=None):
        # Parent products have no stock records (Oscar forbids them), so only standalone
        # products are indexed: their children need no prefetching.
        return (
            super()
            .index_queryset(using)
            .filter(is_public=True, stockrecords__partner__is_verified=True)
            .distinct()
            .select_related("product_class")
            .prefetch_related(
                "stockrecords",
                Prefetch(
                    "categories",
                    queryset=Category.objects.browsable(),
                    to_attr="_prefetched_browsable_categories",
                ),
            )
        )

    def read_queryset(self, using=None):
        return super().read_queryset(using).prefetch_related("stockrecords__partner")

    def prepare(self, obj):
        """The searched text holds each word as written, folded (no accents, lower case,
        final sigma as σ) and by its Greeklish key, so that ``μελι``, ``ΜΕΛΙ``, ``Μέλι``
        and ``meli`` all match."""
        data = super().prepare(obj)
        text = data.get("text") or ""
        data["text"] = f"{text}\n{searchable_text(text)}"
        return data

    def prepare_category(self, obj):
        return [category.pk for category in obj.get_categories()]

    def prepare_price(self, obj):
        result = self._purchase_info(obj)
        if result:
            if result.price.is_tax_known:
                return result.price.incl_tax
            return result.price.excl_tax

    def prepare_num_in_stock(self, obj):
        if obj.is_parent:
            return None  # a parent has no stock level of its own
        result = self._purchase_info(obj)
        if result:
            return result.stockrecord.net_stock_level

    def _purchase_info(self, product):
        """Oscar's price and stock for a visitor without an account, reading prefetched
        stock records (``has_stockrecords`` would ask the database even then)."""
        strategy = self.get_strategy()
        if product.is_parent:
            return strategy.fetch_for_parent(product)
        if product.stockrecords.all():
            return strategy.fetch_for_product(product)
        return None

    def update_object(self, instance, using=None, **kwargs):
        if self.index_queryset(using).filter(pk=instance.pk).exists():
            return super().update_object(instance, using=using, **kwargs)
        return self.remove_object(instance, using=using, **kwargs)
