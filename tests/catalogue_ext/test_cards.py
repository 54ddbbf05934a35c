"""The listing's product cards (catalogue_ext/cards.py): versions read in one query that
agree with the template's, cards from one cache read, and products loaded only for the
cards the cache lacks."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from oscar.core.loading import get_model

from catalogue_ext.cards import card_cache_key, card_version_of, card_versions, product_cards
from tests.factories import create_offered_product
from tests.factories.bulk import market_products, png_file

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
Option = get_model("catalogue", "Option")

pytestmark = pytest.mark.django_db

CATALOGUE = "/en/market/catalogue/"


def prefetched(products):
    return list(
        Product.objects.filter(pk__in=[product.pk for product in products])
        .select_related("product_class")
        .prefetch_related("stockrecords", "images")
        .order_by("pk")
    )


def test_versions_read_in_one_query_agree_with_the_products_own():
    with_image, with_option = market_products(2)
    without_image = create_offered_product(title="Ρίγανη")
    with_option.product_options.add(Option.objects.create(name="Συσκευασία δώρου"))
    ProductImage.objects.create(
        product=with_image, original=png_file("second.png"), display_order=1
    )
    products = [with_image, with_option, without_image]

    with CaptureQueriesContext(connection) as queries:
        versions = card_versions([product.pk for product in products])

    assert len(queries) == 1
    assert versions == {product.pk: card_version_of(product) for product in prefetched(products)}
    assert versions[with_option.pk] != card_version_of(prefetched([with_image])[0])
    assert "|True|" in versions[with_option.pk]
    assert f"product-{with_image.pk}.png" in versions[with_image.pk]


def test_cards_keep_the_order_asked_and_leave_out_unknown_products():
    first, second = market_products(2)

    cards = product_cards([second.pk, 999_999, first.pk])

    assert [card.pk for card in cards] == [second.pk, first.pk]
    assert all(card.html is None and card.product is not None for card in cards)
    assert cards[0].product._card_version == cards[0].version


def test_a_warm_page_loads_no_product_and_counts_the_same_for_one_and_a_full_page(client):
    market_products(1, title="Μόνο")

    def queries_on(path):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        return [query["sql"] for query in queries]

    def forget_cards():
        versions = card_versions(Product.objects.values_list("pk", flat=True))
        with translation.override("en"):
            cache.delete_many([card_cache_key(version) for version in versions.values()])

    client.get(CATALOGUE)  # session, site, thumbnails, facet counts
    forget_cards()
    cold_one = queries_on(CATALOGUE)
    warm_one = queries_on(CATALOGUE)

    market_products(23, title="Πολλά")
    client.get(CATALOGUE)
    forget_cards()
    cold_full = queries_on(CATALOGUE)
    warm_full = queries_on(CATALOGUE)

    assert len(cold_one) == len(cold_full)
    assert len(warm_one) == len(warm_full)
    # The four queries that load products, stock records, images and certifications.
    assert len(cold_full) - len(warm_full) == 4
    assert not any('FROM "catalogue_productimage" WHERE' in sql for sql in warm_full)
    html = client.get(CATALOGUE).content.decode()
    assert html.count('<article class="product_pod">') == 24


def test_a_new_first_image_shows_on_the_next_request(client):
    (product,) = market_products(1)
    before = client.get(CATALOGUE).content.decode()
    old_image = re.search(r'<article class="product_pod">.*?<img src="([^"]+)"', before, re.S)

    # A new image does not touch the product's date_updated.
    ProductImage.objects.filter(product=product).update(display_order=5)
    ProductImage.objects.create(product=product, original=png_file("new.png"), display_order=0)

    after = client.get(CATALOGUE).content.decode()
    new_image = re.search(r'<article class="product_pod">.*?<img src="([^"]+)"', after, re.S)
    assert new_image.group(1) != old_image.group(1)


def test_cards_are_stored_under_the_key_the_listing_reads_in_the_pages_language(client):
    (product,) = market_products(1)
    version = card_versions([product.pk])[product.pk]

    client.get(CATALOGUE)

    with translation.override("en"):
        assert f"/{product.slug}_{product.pk}/" in cache.get(card_cache_key(version))
    with translation.override("el"):
        assert cache.get(card_cache_key(version)) is None
