"""Reusable reads for the social market; each one loads what its pages show in a
fixed number of queries."""

from django.db.models import Count
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")


def public_products():
    """Products a shopper may see, with what a product card needs prefetched."""
    return (
        Product.objects.browsable()
        .base_queryset()
        .filter(is_public=True)
        .prefetch_related("stockrecords__partner", "certifications")
    )


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
    return Partner.objects.count()
