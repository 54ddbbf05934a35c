"""The product search index: only what a shopper may see is ever indexed.

Its text is also folded for accent- and case-insensitive Greek search.
Oscar's own ProductIndex is excluded in settings (HAYSTACK_EXCLUDED_INDEXES) and replaced
by this one, which leaves out hidden products and products of organisations that are
not verified yet, and drops a product from the index when it stops being visible.
"""

# The module, not the class: haystack registers every index class found in this module.
from oscar.apps.search import search_indexes as oscar_search_indexes

from shop.text import searchable_text


class ProductIndex(oscar_search_indexes.ProductIndex):
    def index_queryset(self, using=None):
        return (
            super()
            .index_queryset(using)
            .filter(is_public=True, stockrecords__partner__is_verified=True)
            .distinct()
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

    def update_object(self, instance, using=None, **kwargs):
        if self.index_queryset(using).filter(pk=instance.pk).exists():
            return super().update_object(instance, using=using, **kwargs)
        return self.remove_object(instance, using=using, **kwargs)
