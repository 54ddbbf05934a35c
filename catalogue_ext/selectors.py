"""Reusable reads of the catalogue; each loads what its page shows in fixed queries."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Option = get_model("catalogue", "Option")
StockRecord = get_model("partner", "StockRecord")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
ProductReview = get_model("reviews", "ProductReview")


def with_options_flags(queryset):
    """Annotate what ``Product.has_options`` reads, instead of a query per product."""
    return queryset.annotate(
        has_product_class_options=Exists(
            Option.objects.filter(productclass=OuterRef("product_class"))
        ),
        has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
    )


def card_prefetches():
    """What a product card shows besides the product: its organisation's stock record,
    its images and certifications."""
    return [
        Prefetch("stockrecords", queryset=StockRecord.objects.select_related("partner")),
        "images",
        "certifications",
    ]


def products_for_detail_page():
    """Products with everything their page shows: stock record and organisation, images,
    certifications, categories, attribute values, the number of approved reviews and the
    recommended products with what their cards show."""
    approved_reviews = (
        ProductReview.objects.filter(product=OuterRef("pk"), status=ProductReview.APPROVED)
        .order_by()
        .values("product")
        .annotate(count=Count("pk"))
        .values("count")
    )
    recommended = with_options_flags(
        Product.objects.select_related("product_class")
    ).prefetch_related(*card_prefetches())
    recommendations = ProductRecommendation.objects.prefetch_related(
        Prefetch("recommendation", queryset=recommended)
    )
    return (
        with_options_flags(Product.objects.select_related("product_class", "parent"))
        .annotate(
            num_approved_reviews=Coalesce(
                Subquery(approved_reviews, output_field=IntegerField()), 0
            )
        )
        .prefetch_browsable_categories()
        .prefetch_related(
            *card_prefetches(),
            Prefetch(
                "attribute_values",
                queryset=ProductAttributeValue.objects.select_related("attribute", "value_option"),
            ),
            Prefetch("primary_recommendations", queryset=recommendations),
        )
    )


def category_trail(product):
    """The product's first browsable category with its ancestors, from the root down:
    what the breadcrumbs show (one query; the categories are prefetched)."""
    category = next(iter(product.get_categories()), None)
    if category is None:
        return []
    step = Category.steplen
    paths = [category.path[:end] for end in range(step, len(category.path) + 1, step)]
    return list(Category.objects.filter(path__in=paths).order_by("path"))
