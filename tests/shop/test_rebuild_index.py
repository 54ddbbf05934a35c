"""``manage.py rebuild_index`` builds a working index from nothing, on an on-disk Whoosh
folder as ``make run`` and a small production use, and the "did you mean" helper
reads the spelling data that index holds."""

import pytest
from django.core.management import call_command
from haystack import connections
from haystack.query import SearchQuerySet

from catalogue_ext.search import matching_product_ids
from shop.search_suggestions import spelling_suggestion
from shop.settings.env import haystack_config
from shop.text import fold_for_search
from tests.factories import OrganisationFactory, create_offered_product
from tests.factories.thinktank import ArticleFactory
from thinktank.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def whoosh_on_disk(tmp_path, settings):
    """The default connection as base settings make it without ELASTICSEARCH_URL,
    pointed at a folder that does not exist yet; the test settings' connection is put
    back afterwards. Haystack picks the engine from the connections it was loaded with
    and the engine reads its options from settings: both are switched."""
    saved_info = connections.connections_info
    saved = getattr(connections.thread_local, "connections", {}).pop("default", None)
    folder = tmp_path / "whoosh_index"
    settings.HAYSTACK_CONNECTIONS = haystack_config("", whoosh_path=folder)
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    assert connections["default"].get_backend().path == str(folder)
    try:
        yield folder
    finally:
        connections.thread_local.connections.pop("default", None)
        connections.connections_info = saved_info
        if saved is not None:
            connections.thread_local.connections["default"] = saved


@pytest.fixture
def honey_and_study():
    crete = OrganisationFactory(name="Μελισσοκομικός Συνεταιρισμός Κρήτης", is_verified=True)
    honey = create_offered_product(organisation=crete, title="Μέλι θυμαρίσιο")
    create_offered_product(organisation=crete, title="Κερί μελισσών")
    study = ArticleFactory(
        title="Οι μελισσοκομικοί συνεταιρισμοί της Κρήτης",
        body="Μελέτη για τη συνεργατική μελισσοκομία.",
        organisation=crete,
    )
    return honey, study


def test_rebuild_index_from_scratch_finds_products_and_articles_in_greek(
    honey_and_study, whoosh_on_disk
):
    honey, study = honey_and_study
    assert not whoosh_on_disk.exists()

    call_command("rebuild_index", interactive=False, verbosity=0)

    assert whoosh_on_disk.is_dir()
    assert matching_product_ids("μελι θυμαρισιο") == [honey.pk]
    assert matching_product_ids("ΜΈΛΙ") == [honey.pk]
    articles = SearchQuerySet().models(Article).auto_query(fold_for_search("ΜΕΛΙΣΣΟΚΟΜΙΚΟΙ"))
    assert [int(result.pk) for result in articles] == [study.pk]


def test_rebuild_index_twice_keeps_one_document_each(honey_and_study, whoosh_on_disk):
    honey, study = honey_and_study
    call_command("rebuild_index", interactive=False, verbosity=0)
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert matching_product_ids("μελι θυμαρισιο") == [honey.pk]
    assert SearchQuerySet().models(Article).count() == 1


def test_spelling_suggestion_on_whoosh_with_spelling_data(honey_and_study, whoosh_on_disk):
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert spelling_suggestion("θυμαρσιο") == "θυμαρισιο"
    assert spelling_suggestion("ΘΥΜΑΡΣΙΟ") == "θυμαρισιο"
    assert spelling_suggestion("μελι θυμαρσιο") == "μελι θυμαρισιο"
    assert spelling_suggestion("Θυμαρίσιο") is None  # spelled right: nothing to suggest
    assert spelling_suggestion("   ") is None


def test_searches_do_not_pay_for_a_suggestion_nobody_asked_for(honey_and_study, whoosh_on_disk):
    call_command("rebuild_index", interactive=False, verbosity=0)
    backend = connections["default"].get_backend()
    assert backend.include_spelling is True
    assert backend.search("θυμαρσιο")["spelling_suggestion"] is None
    assert backend.suggest("θυμαρσιο") == "θυμαρισιο"


def test_spelling_suggestion_is_none_without_spelling_data(honey_and_study):
    # The test settings' in-memory index has no spelling data (no INCLUDE_SPELLING).
    assert connections["default"].get_backend().include_spelling is False
    assert spelling_suggestion("θυμαρσιο") is None


def test_the_site_search_offers_a_suggestion_when_nothing_is_found(
    client, honey_and_study, whoosh_on_disk
):
    call_command("rebuild_index", interactive=False, verbosity=0)

    response = client.get("/search/", {"q": "θυμαρσιο"})

    assert response.context["total"] == 0
    assert response.context["suggestion"] == "θυμαρισιο"
    assert (
        response.context["suggestion_url"]
        == "?q=%CE%B8%CF%85%CE%BC%CE%B1%CF%81%CE%B9%CF%83%CE%B9%CE%BF&kind=all"
    )
    assert 'rel="nofollow">θυμαρισιο</a>' in response.content.decode()
    found = client.get("/search/", {"q": "θυμαρισιο"})
    assert found.context["total"] == 1
    assert "suggestion" not in found.context
