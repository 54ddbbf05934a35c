"""Search engines: Elasticsearch 7 for Greek, and the embedded Whoosh (at the end).

Elasticsearch: the index settings, mapping and query our code creates.

``manage.py rebuild_index`` (or the first update of an empty cluster) creates the index
with these settings, so nothing has to be set up on the cluster by hand:

- ``greek_text``, the analyzer of the document text (``text``) and of every other text
  field: standard tokenizer, then Greek lower case (accents off, final sigma as σ),
  Greek stop words and the Greek stemmer;
- ``greek_exact``, the same without stop words and stemming, for the ``text.exact``
  sub-field: one-letter typos are matched against whole words there (a fuzzy term is
  not stemmed, so it would miss the stemmed words of ``text``), and "did you mean"
  suggestions are whole words rather than stems;
- ``edgengram_analyzer`` and ``ngram_analyzer``, which haystack's ``EdgeNgramField`` and
  ``NgramField`` expect, lower-cased the Greek way before they are cut.

Free-text queries match as typed or with one-letter typos: ``build_search_kwargs``
turns haystack's ``query_string`` query into "the query as written, or the same query
with every plain word made fuzzy (``word~``, ``fuzziness: AUTO``) on ``text.exact``".
Exact matches score higher than fuzzy ones.
"""

import copy
import re
import threading

import haystack
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
)
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend

GREEK_TEXT_ANALYZER = "greek_text"
GREEK_EXACT_ANALYZER = "greek_exact"
EXACT_SUBFIELD = "exact"

INDEX_SETTINGS = {
    "settings": {
        "index": {
            # haystack's n-gram filter cuts grams of 3 to 4 letters.
            "max_ngram_diff": 2,
        },
        "analysis": {
            "filter": {
                "greek_lowercase": {"type": "lowercase", "language": "greek"},
                "greek_stop": {"type": "stop", "stopwords": "_greek_"},
                "greek_stemmer": {"type": "stemmer", "language": "greek"},
                "haystack_ngram": {"type": "ngram", "min_gram": 3, "max_gram": 4},
                "haystack_edgengram": {"type": "edge_ngram", "min_gram": 2, "max_gram": 15},
            },
            "analyzer": {
                GREEK_TEXT_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["greek_lowercase", "greek_stop", "greek_stemmer"],
                },
                GREEK_EXACT_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["greek_lowercase"],
                },
                "edgengram_analyzer": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["greek_lowercase", "haystack_edgengram"],
                },
                "ngram_analyzer": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["greek_lowercase", "haystack_ngram"],
                },
            },
        },
    },
}

# Words of query_string syntax that are never made fuzzy.
OPERATORS = {"AND", "OR", "NOT", "TO", "&&", "||"}
# A token of a query_string query: a quoted phrase, a range, a parenthesis, or a run of
# other characters (backslash escapes included).
QUERY_TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*"(?:~\d*)?'  # "a phrase", perhaps with slop
    r"|[\[{](?:\\.|[^\]}\\])*[\]}]"  # [a TO b] or {a TO b}
    r"|[()]"
    r"|\s+"
    r'|(?:\\.|[^\s()"\[\]{}\\])+'  # a word, field name or operator
)
# Unescaped characters that make a word something else than a plain word.
SPECIAL_IN_WORD = re.compile(r"(?<!\\)[:*?~^/]")


def fuzzy_query_string(query):
    """``query`` (query_string syntax) with every plain word made fuzzy: ``μελι`` →
    ``μελι~``. Phrases, ranges, operators, wildcards, boosts, numbers, excluded words
    (``NOT κερί``) and anything inside a field-qualified group (``title:(…)``,
    ``django_ct:…``) stay as they are."""
    out = []
    depth = 0  # parentheses currently open
    qualified_depths = []  # depths at which a field-qualified group was opened
    after_field = False
    after_not = False  # a word that is excluded stays exact: NOT κερί excludes κερί only
    for match in QUERY_TOKEN.finditer(query):
        token = match.group()
        if token.isspace():
            out.append(token)
            continue
        if token == "(":
            depth += 1
            if after_field or after_not:
                qualified_depths.append(depth)
            after_field = after_not = False
        elif token == ")":
            if qualified_depths and qualified_depths[-1] == depth:
                qualified_depths.pop()
            depth -= 1
        elif token[0] in '"[{':
            after_field = after_not = False
        else:
            is_field = token.endswith(":") and not token.endswith("\\:")
            plain = (
                not is_field
                and not after_field
                and not after_not
                and not qualified_depths
                and token not in OPERATORS
                and not token.startswith(("+", "-", "!"))
                and not SPECIAL_IN_WORD.search(token)
                and not token.replace(".", "").replace(",", "").isdigit()
            )
            if plain:
                token = f"{token}~"
            after_field = is_field
            after_not = token in {"NOT", "!"}
        out.append(token)
    return "".join(out)


class GreekElasticsearchBackend(Elasticsearch7SearchBackend):
    DEFAULT_SETTINGS = INDEX_SETTINGS

    DEFAULT_FIELD_MAPPING = {"type": "text", "analyzer": GREEK_TEXT_ANALYZER}

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        if content_field_name:
            document = mapping[content_field_name]
            if document.get("type") == "text":
                mapping[content_field_name] = {
                    **document,
                    "fields": {EXACT_SUBFIELD: {"type": "text", "analyzer": GREEK_EXACT_ANALYZER}},
                }
        return content_field_name, mapping

    def build_search_kwargs(self, query_string, **kwargs):
        search_kwargs = super().build_search_kwargs(query_string, **kwargs)
        search_kwargs = copy.deepcopy(search_kwargs)
        query = search_kwargs.get("query", {})
        holder, key = (query["bool"], "must") if "bool" in query else (search_kwargs, "query")
        typed = holder.get(key, {}).get("query_string")
        if typed is not None:
            exact_field = f"{typed['default_field']}.{EXACT_SUBFIELD}"
            fuzzy = {
                **typed,
                "default_field": exact_field,
                "query": fuzzy_query_string(typed["query"]),
            }
            if fuzzy["query"] != typed["query"]:
                holder[key] = {
                    "bool": {
                        "should": [{"query_string": typed}, {"query_string": fuzzy}],
                        "minimum_should_match": 1,
                    }
                }
        suggest = search_kwargs.get("suggest", {}).get("suggest")
        if suggest is not None:
            # Whole words, not stems; only words missing from the index get a suggestion.
            index = haystack.connections[self.connection_alias].get_unified_index()
            suggest["term"] = {
                "field": f"{index.document_field}.{EXACT_SUBFIELD}",
                "suggest_mode": "missing",
            }
        return search_kwargs


class GreekElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = GreekElasticsearchBackend


class _KeptOpen:
    """A shared searcher handed to haystack, which closes each searcher it used."""

    def __init__(self, searcher):
        self._searcher = searcher

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def __getattr__(self, name):
        return getattr(self._searcher, name)


class SharedSearcherIndex:
    """A Whoosh index whose searcher stays open between searches.

    Haystack opens new readers over every segment of the index three times per search
    (to count the documents, to narrow by model, to search): at 40,000 documents that is
    about 400 ms, against some 50 ms for the search itself, and the site search runs one
    per kind of result. Here each thread keeps one searcher and ``refresh()``es it before
    use, which reopens only what changed and returns the same searcher when the index
    is as it was.
    """

    def __init__(self, index):
        self._index = index
        self._local = threading.local()

    def _current_searcher(self):
        searcher = getattr(self._local, "searcher", None)
        searcher = self._index.searcher() if searcher is None else searcher.refresh()
        self._local.searcher = searcher
        return searcher

    def searcher(self, **kwargs):
        if kwargs:
            return self._index.searcher(**kwargs)
        return _KeptOpen(self._current_searcher())

    def doc_count(self):
        return self._current_searcher().doc_count()

    def refresh(self):
        return self

    def __getattr__(self, name):
        return getattr(self._index, name)


class SpellingOnRequestWhooshBackend(WhooshSearchBackend):
    """Whoosh that builds its spelling data but suggests only when asked, and keeps its
    searcher open between searches (``SharedSearcherIndex``).

    Haystack's Whoosh backend computes a suggestion after every search when
    ``INCLUDE_SPELLING`` is on: an edit-distance walk over the whole vocabulary that
    costs most of the search's time. The platform shows a suggestion only for a search
    that found nothing (``shop.search_suggestions``), which calls ``suggest``.
    """

    def setup(self):
        super().setup()
        self.index = SharedSearcherIndex(self.index)

    def create_spelling_suggestion(self, query_string):
        return None

    def suggest(self, query_string):
        return super().create_spelling_suggestion(query_string)


class SpellingOnRequestWhooshEngine(WhooshEngine):
    backend = SpellingOnRequestWhooshBackend


# Whoosh writes in batches ------------------------------------------------------------
#
# Haystack's Whoosh ``update`` replaces each document with ``update_document``, which
# opens a searcher over every segment of the index to find the old copy: most of the
# time of ``rebuild_index``. ``BatchWritingWhooshBackend`` finds the old copies of a
# whole batch with one searcher, deletes them, then adds the batch (what Whoosh advises
# for many documents), in one writer and one commit as before. When another process
# holds the index's lock, it falls back to haystack's queued writer. It also spares
# Whoosh a file lookup per posting when the segment is written (see below).

import functools  # noqa: E402

from haystack.constants import ID  # noqa: E402
from haystack.exceptions import SkipDocument  # noqa: E402
from haystack.utils import get_identifier  # noqa: E402
from whoosh.index import LockError  # noqa: E402


class BatchWritingWhooshBackend(SpellingOnRequestWhooshBackend):
    def update(self, index, iterable, commit=True):
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        try:
            writer = self.index.writer()
        except LockError:
            return super().update(index, iterable, commit=commit)
        _look_up_length_columns_once(writer)
        try:
            documents = self._prepared_documents(index, iterable)
            if not documents:
                writer.cancel()
                return
            with writer.searcher() as searcher:
                old_copies = [searcher.document_number(**{ID: doc[ID]}) for _, doc in documents]
            for docnum in old_copies:
                if docnum is not None:
                    writer.delete_document(docnum)
            for identifier, doc in documents:
                self._add_document(writer, index, identifier, doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _prepared_documents(self, index, objects):
        """(identifier, document) of each object, as haystack's ``update`` writes it."""
        documents = []
        for obj in objects:
            try:
                doc = index.full_prepare(obj)
            except SkipDocument:
                self.log.debug("Indexing for object `%s` skipped", obj)
                continue
            # Whoosh wants text; document boosts are not supported in Whoosh 2.5+.
            doc = {key: self._from_python(value) for key, value in doc.items() if key != "boost"}
            documents.append((get_identifier(obj), doc))
        return documents

    def _add_document(self, writer, index, identifier, doc):
        try:
            writer.add_document(**doc)
        except Exception:
            if not self.silently_fail:
                raise
            self.log.exception(
                "Preparing object for update",
                extra={"data": {"index": index, "object": identifier}},
            )


def _look_up_length_columns_once(writer):
    """When Whoosh finishes a segment it reads each posting's field length, and for a
    field that stores none (ids, numbers, dates) it looks for the length file on disk
    again for every posting. The segment's files no longer change at that point, so
    the answer is kept per field."""
    open_reader = writer.per_document_reader

    def per_document_reader():
        reader = open_reader()
        reader.has_column = functools.lru_cache(maxsize=None)(reader.has_column)
        return reader

    writer.per_document_reader = per_document_reader


# The engine named in settings writes through it.
SpellingOnRequestWhooshEngine.backend = BatchWritingWhooshBackend
