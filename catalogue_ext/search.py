"""Finding products and services by words, the same way everywhere (the market's search,
the site-wide search, the catalogue): the query is matched as typed, folded (no accents,
any case, either sigma) and by its Greeklish key, so that ``μελι``, ``ΜΕΛΙ``, ``Μέλι``
and ``meli`` all find ``Μέλι``."""

from haystack.inputs import AutoQuery
from haystack.query import SQ, SearchQuerySet
from oscar.core.loading import get_model

from shop.text import fold_for_search, greeklish_key

Product = get_model("catalogue", "Product")

# A search matching more than this many products keeps the best ones only.
MAX_MATCHES = 10_000


def product_search(query):
    """The SearchQuerySet of the products matching ``query``, best first."""
    forms = dict.fromkeys([query, fold_for_search(query), greeklish_key(query)])
    condition = SQ()
    for form in forms:
        if form.strip():
            condition |= SQ(content=AutoQuery(form))
    return SearchQuerySet().models(Product).filter(condition)


def matching_product_ids(query, limit=MAX_MATCHES):
    """Ids of the products matching ``query``, best first, in one request to the index."""
    results = product_search(query)[:limit]
    return [int(result.pk) for result in results]
