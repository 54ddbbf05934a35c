"""Search on a real Elasticsearch 7 cluster: run when ELASTICSEARCH_URL names one.

    ELASTICSEARCH_URL=https://user:password@es.example.org:9200 make test

Each run creates its own index (``<ELASTICSEARCH_INDEX>-test-<random>``) through our
engine, as ``manage.py rebuild_index`` does in production, and deletes it at the end;
the credentials and TLS variables of the README are read as in the base settings.
"""

import os
import uuid

import pytest
from django.core.management import call_command
from haystack import connections
from haystack.query import SearchQuerySet

from catalogue_ext.search import matching_product_ids
from shop.search_suggestions import spelling_suggestion
from shop.settings.env import env_bool, haystack_config
from shop.text import fold_for_search
from tests.factories import OrganisationFactory, create_offered_product
from tests.factories.thinktank import ArticleFactory
from thinktank.models import Article

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = [
    pytest.mark.skipif(
        not ELASTICSEARCH_URL,
        reason="ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against",
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def elasticsearch(settings, tmp_path):
    """The default search connection on the cluster, in an index of this test alone;
    the index is deleted and the test settings' connection put back afterwards."""
    base = os.environ.get("ELASTICSEARCH_INDEX", "coopsociety")
    index_name = f"{base}-test-{uuid.uuid4().hex[:12]}"
    settings.HAYSTACK_CONNECTIONS = haystack_config(
        ELASTICSEARCH_URL,
        whoosh_path=tmp_path / "unused",
        index_name=index_name,
        username=os.environ.get("ELASTICSEARCH_USERNAME", ""),
        password=os.environ.get("ELASTICSEARCH_PASSWORD", ""),
        ca_certs=os.environ.get("ELASTICSEARCH_CA_CERTS", ""),
        verify_certs=env_bool("ELASTICSEARCH_VERIFY_CERTS", default=True),
        timeout=os.environ.get("ELASTICSEARCH_TIMEOUT", "10"),
    )
    saved_info = connections.connections_info
    saved = getattr(connections.thread_local, "connections", {}).pop("default", None)
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    backend = connections["default"].get_backend()
    assert backend.index_name == index_name
    try:
        yield backend
    finally:
        backend.clear()
        assert not backend.conn.indices.exists(index=index_name)
        connections.thread_local.connections.pop("default", None)
        connections.connections_info = saved_info
        if saved is not None:
            connections.thread_local.connections["default"] = saved


@pytest.fixture
def catalogue():
    sitia = OrganisationFactory(name="Αγροτικός Συνεταιρισμός Σητείας", is_verified=True)
    items = {
        "honey": create_offered_product(organisation=sitia, title="Μέλι θυμαρίσιο"),
        "oil": create_offered_product(organisation=sitia, title="Εξαιρετικό παρθένο Ελαιόλαδο"),
        "soap": create_offered_product(organisation=sitia, title="Σαπούνι από ελιά"),
        "study": ArticleFactory(
            title="Οι μελισσοκομικοί συνεταιρισμοί της Κρήτης",
            body="Μελέτη για τη συνεργατική μελισσοκομία.",
            organisation=sitia,
        ),
    }
    return items


@pytest.fixture
def indexed(catalogue, elasticsearch):
    call_command("rebuild_index", interactive=False, verbosity=0)
    return catalogue


def test_rebuild_index_creates_the_greek_analyzer_and_mapping(indexed, elasticsearch):
    conn, index_name = elasticsearch.conn, elasticsearch.index_name
    analysis = conn.indices.get_settings(index=index_name)[index_name]["settings"]["index"][
        "analysis"
    ]
    assert analysis["analyzer"]["greek_text"]["filter"] == [
        "greek_lowercase",
        "greek_stop",
        "greek_stemmer",
    ]
    text = conn.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]["text"]
    assert text == {
        "type": "text",
        "analyzer": "greek_text",
        "fields": {"exact": {"type": "text", "analyzer": "greek_exact"}},
    }

    def tokens(analyzer, text):
        body = {"analyzer": analyzer, "text": text}
        return [t["token"] for t in conn.indices.analyze(index=index_name, body=body)["tokens"]]

    # Case, accents and final sigma do not matter; stop words are dropped.
    assert tokens("greek_exact", "ΜΈΛΙ Μέλι μελι") == ["μελι", "μελι", "μελι"]
    assert tokens("greek_exact", "ΣΥΝΕΤΑΙΡΙΣΜΌΣ συνεταιρισμος") == [
        "συνεταιρισμοσ",
        "συνεταιρισμοσ",
    ]
    stemmed = tokens("greek_text", "συνεταιρισμός συνεταιρισμοί και")
    assert len(stemmed) == 2 and stemmed[0] == stemmed[1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("μελι", "honey"),
        ("ΜΕΛΙ", "honey"),
        ("Μέλι", "honey"),
        ("μέλι θυμαρίσιο", "honey"),
        ("ελαιολαδο", "oil"),
        ("ΕΛΑΙΟΛΑΔΟ", "oil"),
        ("meli", "honey"),
        ("elaiolado", "oil"),
        # One letter wrong, missing or extra.
        ("θυμαρησιο", "honey"),
        ("ελιολαδο", "oil"),
        ("ελαιολαδδο", "oil"),
    ],
)
def test_greek_queries_find_the_product(indexed, query, expected):
    assert matching_product_ids(query) == [indexed[expected].pk]


def test_a_word_nobody_sells_finds_nothing(indexed):
    assert matching_product_ids("τυρί") == []


def test_articles_are_found_by_folded_greek(indexed):
    results = SearchQuerySet().models(Article).auto_query(fold_for_search("Μελισσοκομικοί"))
    assert [int(result.pk) for result in results] == [indexed["study"].pk]


def test_did_you_mean_suggests_the_indexed_spelling(indexed):
    assert spelling_suggestion("θυμαρησιο") == "θυμαρισιο"
    assert spelling_suggestion("θυμαρίσιο") is None  # spelled right
