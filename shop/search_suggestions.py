"""'Did you mean …?': a spelling suggestion for a search, where the backend has one.

Elasticsearch suggests words of the index for the words of the query it does not hold
(``INCLUDE_SPELLING``, see ``shop.search_backends``); on-disk Whoosh suggests from its
spelling data. A backend without spelling (the tests' in-memory Whoosh) gives ``None``,
and so does a suggestion that is only the query itself, in another case or accents.
"""

from haystack import connections
from haystack.backends.whoosh_backend import WhooshSearchBackend
from haystack.query import SearchQuerySet

from shop.text import fold_for_search


def spelling_suggestion(query, *, using="default"):
    """A better-spelled query for ``query``, or ``None``."""
    query = " ".join((query or "").split())
    if not query:
        return None
    backend = connections[using].get_backend()
    if not backend.include_spelling:
        return None
    if isinstance(backend, WhooshSearchBackend):
        # Haystack drops Whoosh's suggestion when the query finds nothing, which is
        # when it is wanted most: ask the spelling data directly, with the query folded
        # like the indexed text.
        if not backend.setup_complete:
            backend.setup()
        suggest = getattr(backend, "suggest", backend.create_spelling_suggestion)
        suggestion = suggest(fold_for_search(query))
    else:
        suggestion = SearchQuerySet(using=using).auto_query(query).spelling_suggestion(query)
    suggestion = " ".join((suggestion or "").split())
    if not suggestion or fold_for_search(suggestion) == fold_for_search(query):
        return None
    return suggestion
