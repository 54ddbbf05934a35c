"""The product page (catalogue_ext.views.ProductDetailView): what it shows, read in a
fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from oscar.core.loading import get_model

from tests.factories.bulk import category, market_products

Category = get_model("catalogue", "Category")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
ProductReview = get_model("reviews", "ProductReview")

pytestmark = pytest.mark.django_db


def page(client, product):
    """The product's page in English."""
    with translation.override("en"):
        response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_breadcrumbs_lead_through_the_products_category_and_its_ancestors(client):
    honey = category("Τρόφιμα > Μέλι > Θυμαρίσιο")
    (product,) = market_products(1, category=honey)

    breadcrumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page(client, product), re.S)

    food, bees = Category.objects.filter(depth__lt=honey.depth).order_by("path")
    with translation.override("en"):
        expected = [(c.get_absolute_url(), c.name) for c in (food, bees, honey)]
    assert expected[0][0].startswith("/en/market/catalogue/category/trofima_")
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', breadcrumbs.group(1)) == [
        ("/", "Home"),
        *expected,
    ]


def test_the_number_of_reviews_counts_approved_ones_only(client):
    (product,) = market_products(1)
    for status in (ProductReview.APPROVED, ProductReview.APPROVED, ProductReview.FOR_MODERATION):
        ProductReview.objects.create(
            product=product, title="Πολύ καλό", body="Ωραίο μέλι.", score=5, status=status,
            name="Μαρία", email="maria@example.org",
        )  # fmt: skip

    html = page(client, product)

    assert re.search(r"<th>Number of reviews</th>\s*<td>2</td>", html)


def recommend(product, others):
    for ranking, other in enumerate(others):
        ProductRecommendation.objects.create(
            primary=product, recommendation=other, ranking=len(others) - ranking
        )


def test_recommended_products_are_shown_by_ranking_in_fixed_queries(client):
    product, *others = market_products(6)
    recommend(product, others[:1])
    page(client, product)  # thumbnails and cards made once
    with CaptureQueriesContext(connection) as one:
        page(client, product)

    ProductRecommendation.objects.all().delete()
    recommend(product, others)
    page(client, product)
    with CaptureQueriesContext(connection) as five:
        html = page(client, product)

    shown = re.findall(r'<h3 class="mt-3">\s*<a href="[^"]*" title="([^"]+)"', html)
    assert shown == [other.title for other in others]
    assert len(five) == len(one)
