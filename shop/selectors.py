"""Reusable reads for the social market; each one loads what its pages show in a
fixed number of queries."""

from django.db.models import Count
from oscar.core.loading import get_model

from catalogue_ext.selectors import card_prefetches, with_options_flags
from shop.page_cache import cached_on_content

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")


def public_products():
    """Products a shopper may see, with what a product card needs: four queries for a
    page of them (products, stock records with organisations, images, certifications)."""
    return with_options_flags(
        Product.objects.browsable().select_related("product_class")
    ).prefetch_related(*card_prefetches())


def latest_public_products(*, limit):
    return list(public_products().order_by("-date_created", "-id")[:limit])


def top_level_categories():
    return list(
        Category.objects.filter(depth=1, is_public=True, exclude_from_menu=False).order_by("path")
    )


def organisations_with_product_counts():
    return list(
        Partner.objects.annotate(num_products=Count("stockrecords", distinct=True)).order_by("name")
    )


def organisation_count():
    """How many organisations the market has (the home page says it), counted again
    only when the market changes."""
    return cached_on_content(["market"], "organisation-count", Partner.objects.count)
