"""Our Elasticsearch backend's index settings, mapping and request bodies, built without
a server: the client is created with an address that is never contacted."""

import pytest
from haystack import connections

from catalogue_ext.search import product_search
from shop.search_backends import (
    GreekElasticsearchBackend,
    GreekElasticsearchEngine,
    fuzzy_query_string,
)

NEVER_CONTACTED = "http://127.0.0.1:9"


@pytest.fixture
def backend():
    return GreekElasticsearchBackend(
        "default", URL=NEVER_CONTACTED, INDEX_NAME="coop-unit", INCLUDE_SPELLING=True
    )


def test_index_settings_define_the_greek_analyzer(backend):
    analysis = backend.DEFAULT_SETTINGS["settings"]["analysis"]
    assert analysis["analyzer"]["greek_text"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["greek_lowercase", "greek_stop", "greek_stemmer"],
    }
    assert analysis["analyzer"]["greek_exact"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["greek_lowercase"],
    }
    assert analysis["filter"]["greek_lowercase"] == {"type": "lowercase", "language": "greek"}
    assert analysis["filter"]["greek_stop"] == {"type": "stop", "stopwords": "_greek_"}
    assert analysis["filter"]["greek_stemmer"] == {"type": "stemmer", "language": "greek"}


def test_index_settings_keep_the_ngram_analyzers_haystack_maps_to(backend):
    settings = backend.DEFAULT_SETTINGS["settings"]
    analysis = settings["analysis"]
    assert analysis["analyzer"]["edgengram_analyzer"]["filter"] == [
        "greek_lowercase",
        "haystack_edgengram",
    ]
    assert analysis["analyzer"]["ngram_analyzer"]["filter"] == ["greek_lowercase", "haystack_ngram"]
    assert analysis["filter"]["haystack_edgengram"] == {
        "type": "edge_ngram",
        "min_gram": 2,
        "max_gram": 15,
    }
    assert analysis["filter"]["haystack_ngram"] == {"type": "ngram", "min_gram": 3, "max_gram": 4}
    # ES 7 refuses n-grams wider than max_ngram_diff (default 1).
    assert settings["index"]["max_ngram_diff"] == 2
    # Every analyzer a field mapping names is defined in the index settings.
    named = {m["analyzer"] for m in backend.FIELD_MAPPINGS.values() if "analyzer" in m}
    assert named | {backend.DEFAULT_FIELD_MAPPING["analyzer"]} <= set(analysis["analyzer"])


def test_mapping_analyzes_the_document_text_in_greek(backend):
    fields = connections["default"].get_unified_index().all_searchfields()
    content_field, mapping = backend.build_schema(fields)
    assert content_field == "text"
    assert mapping["text"] == {
        "type": "text",
        "analyzer": "greek_text",
        "fields": {"exact": {"type": "text", "analyzer": "greek_exact"}},
    }
    # Other text fields are Greek too; facets and unindexed fields stay keywords.
    assert mapping["tt_title"] == {"type": "text", "analyzer": "greek_text"}
    assert mapping["tt_summary"] == {"type": "keyword"}
    assert mapping["category_exact"] == {"type": "keyword"}
    # The product title is haystack's edge n-gram field (autocomplete).
    assert mapping["title"] == {"type": "text", "analyzer": "edgengram_analyzer"}
    assert mapping["django_ct"] == {"type": "keyword"}
    assert mapping["django_id"] == {"type": "keyword"}
    # build_schema must not change the class-level default other fields copy.
    assert GreekElasticsearchBackend.DEFAULT_FIELD_MAPPING == {
        "type": "text",
        "analyzer": "greek_text",
    }


@pytest.mark.parametrize(
    ("query", "fuzzy"),
    [
        ("(μελι)", "(μελι~)"),
        ("(μελι AND θυμαρισιο)", "(μελι~ AND θυμαρισιο~)"),
        ("(Μέλι) OR (μελι) OR (meli)", "(Μέλι~) OR (μελι~) OR (meli~)"),
        ('("μέλι θυμαρίσιο" AND NOT κερί)', '("μέλι θυμαρίσιο" AND NOT κερί)'),
        ("(μελι AND NOT (κερι OR γυρη) AND θυμαρι)", "(μελι~ AND NOT (κερι OR γυρη) AND θυμαρι~)"),
        ("(e\\-shop)", "(e\\-shop~)"),
        ("(μελ* AND 2024 AND 4.5)", "(μελ* AND 2024 AND 4.5)"),
        ("(μελι^2)", "(μελι^2)"),
        (
            "(ελαιολαδο AND product_class:(Τρόφιμα) AND price:[1 TO 5])",
            "(ελαιολαδο~ AND product_class:(Τρόφιμα) AND price:[1 TO 5])",
        ),
        ("(μελι AND tt_section:news)", "(μελι~ AND tt_section:news)"),
    ],
)
def test_fuzzy_query_string_makes_plain_words_fuzzy_only(query, fuzzy):
    assert fuzzy_query_string(query) == fuzzy


def test_free_text_query_matches_as_typed_or_with_one_letter_typos(backend):
    body = backend.build_search_kwargs("(μελι) OR (meli)", models=None)
    must = body["query"]["bool"]["must"]
    typed, fuzzy = must["bool"]["should"]
    assert must["bool"]["minimum_should_match"] == 1
    assert typed["query_string"] == {
        "default_field": "text",
        "default_operator": "AND",
        "query": "(μελι) OR (meli)",
        "analyze_wildcard": True,
        "fuzziness": "AUTO",
    }
    assert fuzzy["query_string"] == {
        "default_field": "text.exact",
        "default_operator": "AND",
        "query": "(μελι~) OR (meli~)",
        "analyze_wildcard": True,
        "fuzziness": "AUTO",
    }
    # The model filter haystack adds is kept as a filter, outside the fuzzy part.
    assert "django_ct" in str(body["query"]["bool"]["filter"])


def test_match_all_and_queries_without_plain_words_stay_as_haystack_builds_them(backend):
    assert backend.build_search_kwargs("*:*", limit_to_registered_models=False)["query"] == {
        "match_all": {}
    }
    body = backend.build_search_kwargs('("μέλι θυμαρίσιο")', limit_to_registered_models=False)
    assert body["query"]["query_string"]["query"] == '("μέλι θυμαρίσιο")'
    assert body["query"]["query_string"]["default_field"] == "text"


def test_spelling_suggestions_come_from_whole_words(backend):
    body = backend.build_search_kwargs("(μλει)", spelling_query="μλει")
    assert body["suggest"] == {
        "suggest": {
            "text": "μλει",
            "term": {"field": "text.exact", "suggest_mode": "missing"},
        }
    }


def test_product_search_query_reaches_the_backend_fuzzy(backend, settings):
    """The query string the market's search builds (catalogue_ext.search) gets its fuzzy
    alternative: built with our engine's query class, then turned into the body."""
    query = GreekElasticsearchEngine.query(using="default")
    query.add_filter(product_search("Μέλι θυμαρίσιο -κερί").query.query_filter)
    query_string = query.build_query()
    assert query_string == (
        "((Μέλι θυμαρίσιο NOT κερί) OR (μελι θυμαρισιο NOT κερι) OR (meli thimarisio NOT keri))"
    )
    body = backend.build_search_kwargs(query_string, limit_to_registered_models=False)
    typed, fuzzy = body["query"]["bool"]["should"]
    assert typed["query_string"]["query"] == query_string
    assert fuzzy["query_string"]["query"] == (
        "((Μέλι~ θυμαρίσιο~ NOT κερί) OR (μελι~ θυμαρισιο~ NOT κερι)"
        " OR (meli~ thimarisio~ NOT keri))"
    )


def test_creating_the_backend_contacts_nothing():
    # A client with a closed port would fail on the first request; creating it must not.
    engine = GreekElasticsearchBackend("default", URL=NEVER_CONTACTED, INDEX_NAME="x")
    assert engine.index_name == "x"
    assert engine.setup_complete is False
