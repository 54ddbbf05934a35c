"""The think tank's search indexes: every published entry is found by its words,
accent- and case-insensitively, and nothing a visitor may not read is ever found."""

import datetime
import itertools

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from haystack import connections
from haystack.query import SearchQuerySet

from shop.search_views import KIND_BY_KEY, results_of
from shop.text import fold_for_search, slugify_greek
from tests.factories import OrganisationFactory, create_member
from thinktank import services
from thinktank.demo_files import docx_bytes, law_pdf_bytes, odt_bytes
from thinktank.documents import prepare_document
from thinktank.models import (
    Article,
    Document,
    Event,
    Moderation,
    NewsItem,
    Proposal,
    Status,
    Video,
)

pytestmark = pytest.mark.django_db

SECTIONS = ["news", "articles", "library", "events", "videos", "proposals"]
_slugs = itertools.count()

# What each section needs besides the fields every entry shares.
REQUIRED = {
    "news": lambda: {"kind": NewsItem.Kind.ANNOUNCEMENT},
    "articles": dict,
    "library": lambda: {"kind": Document.Kind.STUDY, "file": "library/2024/01/study.pdf"},
    "events": lambda: {"starts_at": timezone.now() + datetime.timedelta(days=7)},
    "videos": lambda: {"video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
    "proposals": lambda: {"kind": Proposal.Kind.OPEN_LETTER},
}
MODEL = {
    "news": NewsItem,
    "articles": Article,
    "library": Document,
    "events": Event,
    "videos": Video,
    "proposals": Proposal,
}


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Συνεταιρισμός Άλφα")


def make_entry(section, *, organisation, title, body="", **fields):
    values = {**REQUIRED[section](), **fields}
    return MODEL[section].objects.create(
        title=title,
        slug=f"{slugify_greek(title)}-{next(_slugs)}",
        body=body,
        organisation=organisation,
        **values,
    )


def found(section, query):
    """Titles the site search finds in a section for ``query``, as a visitor types it."""
    kind = KIND_BY_KEY[section]
    return sorted(result.tt_title for result in results_of(kind, query, fold_for_search(query)))


def indexed(model):
    return sorted(result.tt_title for result in SearchQuerySet().models(model))


# Found by their words --------------------------------------------------------------------


@pytest.mark.parametrize("section", SECTIONS)
def test_entry_is_found_by_a_word_of_its_title_and_of_its_body(section, organisation):
    make_entry(section, organisation=organisation, title="Συνέλευση παραγωγών",
               body="Συζητήσαμε για **κομποστοποίηση** στα σχολεία.")  # fmt: skip
    make_entry(section, organisation=organisation, title="Άλλο θέμα", body="Τίποτα σχετικό.")

    assert found(section, "συνέλευση") == ["Συνέλευση παραγωγών"]
    assert found(section, "κομποστοποίηση") == ["Συνέλευση παραγωγών"]


@pytest.mark.parametrize("query", ["μελι", "ΜΕΛΙ", "Μέλι", "μέλι", "ΜΈΛΙ"])
def test_search_ignores_accents_and_case(query, organisation):
    make_entry("articles", organisation=organisation, title="Μέλι")
    assert found("articles", query) == ["Μέλι"]


def test_unaccented_query_finds_an_accented_word(organisation):
    make_entry("news", organisation=organisation, title="Ελαιόλαδο Καλαμάτας")
    assert found("news", "ελαιολαδο") == ["Ελαιόλαδο Καλαμάτας"]


def test_final_sigma_matches_whichever_form_was_typed(organisation):
    make_entry("articles", organisation=organisation, title="Οι καρποί της γης")
    assert found("articles", "ΓΗΣ") == ["Οι καρποί της γης"]
    assert found("articles", "της") == ["Οι καρποί της γης"]


def test_entry_is_found_by_its_summary_and_its_organisations_name(organisation):
    make_entry("proposals", organisation=organisation, title="Πρόταση",
               summary="Ενεργειακή κοινότητα στο χωριό.")  # fmt: skip
    assert found("proposals", "ενεργειακη") == ["Πρόταση"]
    assert found("proposals", "ΑΛΦΑ") == ["Πρόταση"]


def test_section_fields_are_searched(organisation):
    make_entry("news", organisation=organisation, title="Δευτέρα", kind="meeting_report",
               meeting_date=datetime.date(2024, 3, 4),
               minutes="Αποφασίστηκε **αναδάσωση** του λόφου.")  # fmt: skip
    make_entry("events", organisation=organisation, title="Γιορτή", place="Πλατεία Ναυαρίνου")
    make_entry("proposals", organisation=organisation, title="Επιστολή",
               addressee="Υπουργείο Εργασίας")  # fmt: skip

    assert found("news", "αναδασωση") == ["Δευτέρα"]
    assert found("events", "ναυαρινου") == ["Γιορτή"]
    assert found("proposals", "υπουργειο") == ["Επιστολή"]


def test_a_word_inside_a_library_pdf_finds_the_document(organisation):
    paragraph = "Ρυθμίσεις για τις Κοινωνικές Συνεταιριστικές Επιχειρήσεις και την αλληλέγγυα."
    pdf = law_pdf_bytes("Νόμος 4430/2016", [paragraph])
    document = Document(
        title="Ο νόμος για την κοινωνική οικονομία",
        slug="nomos-4430",
        kind=Document.Kind.LEGISLATION,
        organisation=organisation,
    )
    prepare_document(document, SimpleUploadedFile("nomos.pdf", pdf))
    document.save()

    assert "αλληλέγγυα" in document.extracted_text
    assert found("library", "αλληλεγγυα") == ["Ο νόμος για την κοινωνική οικονομία"]
    assert found("library", "ΣΥΝΕΤΑΙΡΙΣΤΙΚΕΣ") == ["Ο νόμος για την κοινωνική οικονομία"]


@pytest.mark.parametrize("extension", ["docx", "odt"])
def test_a_word_inside_a_library_docx_or_odt_finds_the_document(organisation, extension):
    make_file = {"docx": docx_bytes, "odt": odt_bytes}[extension]
    content = make_file("Υπόδειγμα καταστατικού", ["Η γενική συνέλευση συνεδριάζει τακτικά."])
    document = Document(title="Καταστατικό ΚοινΣΕπ", slug="katastatiko", organisation=organisation,
                        kind=Document.Kind.TEMPLATE)  # fmt: skip
    prepare_document(document, SimpleUploadedFile(f"katastatiko.{extension}", content))
    document.save()

    assert document.file_type == extension
    assert found("library", "συνελευση") == ["Καταστατικό ΚοινΣΕπ"]
    assert found("library", "ΣΥΝΕΔΡΙΑΖΕΙ") == ["Καταστατικό ΚοινΣΕπ"]


def test_a_section_finds_only_its_own_entries(organisation):
    make_entry("articles", organisation=organisation, title="Μέλι")
    make_entry("videos", organisation=organisation, title="Μέλι")
    assert found("articles", "μελι") == ["Μέλι"]
    assert found("news", "μελι") == []


def test_result_carries_what_the_results_page_shows(organisation):
    starts = timezone.now() + datetime.timedelta(days=3)
    event = make_entry("events", organisation=organisation, title="Γιορτή μελιού",
                       summary="Έλα με την οικογένεια.", starts_at=starts)  # fmt: skip

    [result] = SearchQuerySet().models(Event)

    assert (result.tt_title, result.tt_summary, result.tt_organisation) == (
        "Γιορτή μελιού",
        "Έλα με την οικογένεια.",
        "Συνεταιρισμός Άλφα",
    )
    assert (result.tt_section, result.tt_slug) == ("events", event.slug)
    assert result.tt_date == starts


def test_summary_falls_back_to_the_beginning_of_the_body(organisation):
    make_entry("articles", organisation=organisation, title="Χωρίς σύνοψη",
               body="Το **πρώτο** μέρος του κειμένου.")  # fmt: skip
    [result] = SearchQuerySet().models(Article)
    assert result.tt_summary == "Το πρώτο μέρος του κειμένου."


def test_think_tank_fields_leave_the_product_index_fields_alone():
    fields = connections["default"].get_unified_index().all_searchfields()
    assert fields["title"].field_type == "edge_ngram"
    assert fields["text"].document is True
    assert {name for name in fields if name.startswith("tt_")} == {
        "tt_title", "tt_summary", "tt_organisation", "tt_section", "tt_slug", "tt_date"
    }  # fmt: skip


# Never found: what a visitor may not read -----------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"status": Status.DRAFT},
        {"publish_at": timezone.now() + datetime.timedelta(days=1)},
        {"deleted_at": timezone.now()},
        {"moderation": Moderation.HIDDEN},
        {"moderation": Moderation.REMOVED},
    ],
    ids=["draft", "scheduled", "deleted", "hidden", "removed"],
)
@pytest.mark.parametrize("section", SECTIONS)
def test_unpublished_entries_are_never_found(section, state, organisation):
    make_entry(section, organisation=organisation, title="Μέλι", **state)
    assert found(section, "μελι") == []
    assert indexed(MODEL[section]) == []


def test_publishing_a_draft_makes_it_searchable_and_unpublishing_removes_it(organisation):
    article = make_entry("articles", organisation=organisation, title="Μέλι", status=Status.DRAFT)
    assert found("articles", "μελι") == []

    article.status = Status.PUBLISHED
    article.save()
    assert found("articles", "μελι") == ["Μέλι"]

    article.status = Status.DRAFT
    article.save()
    assert found("articles", "μελι") == []


def test_an_edit_replaces_the_indexed_words(organisation):
    article = make_entry("articles", organisation=organisation, title="Μέλι")
    article.title = "Ελαιόλαδο"
    article.save()
    assert found("articles", "μελι") == []
    assert found("articles", "ελαιολαδο") == ["Ελαιόλαδο"]


def test_an_entry_hidden_by_moderation_disappears_and_returns_when_restored(organisation):
    author = create_member(organisation, email="author@example.org")
    article = make_entry("articles", organisation=organisation, title="Μέλι", author=author)
    assert found("articles", "μελι") == ["Μέλι"]

    for number in range(3):
        flagger_organisation = OrganisationFactory(is_verified=True)
        flagger = create_member(flagger_organisation, email=f"flag{number}@example.org")
        services.flag_entry(entry=article, user=flagger, organisation=flagger_organisation,
                            reason="spam")  # fmt: skip
    article.refresh_from_db()
    assert article.moderation == Moderation.HIDDEN
    assert found("articles", "μελι") == []

    reviewer_organisation = OrganisationFactory(is_verified=True)
    reviewer = create_member(reviewer_organisation, email="reviewer@example.org")
    services.review_entry(entry=article, user=reviewer, organisation=reviewer_organisation,
                          restore=True)  # fmt: skip
    assert found("articles", "μελι") == ["Μέλι"]


def test_a_deleted_entry_disappears_and_returns_when_restored(organisation):
    member = create_member(organisation, email="member@example.org")
    article = make_entry("articles", organisation=organisation, title="Μέλι")

    services.delete_entry(entry=article, user=member, organisation=organisation)
    assert found("articles", "μελι") == []

    services.restore_entry(entry=article, user=member, organisation=organisation)
    assert found("articles", "μελι") == ["Μέλι"]


def test_an_entry_removed_from_the_database_leaves_the_index(organisation):
    make_entry("videos", organisation=organisation, title="Μέλι").delete()
    assert found("videos", "μελι") == []
    assert indexed(Video) == []


def test_a_scheduled_entry_becomes_searchable_when_the_index_is_updated_after_its_time(
    organisation,
):
    article = make_entry("articles", organisation=organisation, title="Μέλι",
                         publish_at=timezone.now() + datetime.timedelta(hours=2))  # fmt: skip
    call_command("update_index", "thinktank", age=1, verbosity=0)
    assert found("articles", "μελι") == []

    # Its time comes: nothing is saved, so only the hourly update can index it.
    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert found("articles", "μελι") == []
    call_command("update_index", "thinktank", age=1, verbosity=0)
    assert found("articles", "μελι") == ["Μέλι"]


def test_rebuilding_the_index_holds_only_published_entries(organisation):
    make_entry("articles", organisation=organisation, title="Δημοσιευμένο")
    make_entry("articles", organisation=organisation, title="Πρόχειρο", status=Status.DRAFT)
    connections["default"].get_backend().clear()

    call_command("update_index", "thinktank", verbosity=0)

    assert indexed(Article) == ["Δημοσιευμένο"]


# The receivers, when haystack does not index on save itself ----------------------------


@pytest.fixture
def without_realtime_processor(settings):
    """A signal processor that does nothing: only thinktank.receivers index entries."""
    processor = apps.get_app_config("haystack").signal_processor
    processor.teardown()
    settings.HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
    yield
    processor.setup()


@pytest.mark.usefixtures("without_realtime_processor")
def test_receivers_index_update_and_remove_entries(organisation):
    article = make_entry("articles", organisation=organisation, title="Μέλι")
    video = make_entry("videos", organisation=organisation, title="Μέλι")
    assert found("articles", "μελι") == ["Μέλι"]
    assert found("videos", "μελι") == ["Μέλι"]

    article.moderation = Moderation.HIDDEN
    article.save(update_fields=["moderation", "updated_at"])
    video.delete()

    assert found("articles", "μελι") == []
    assert found("videos", "μελι") == []


def test_receivers_stand_aside_while_haystack_indexes_on_save(organisation, monkeypatch):
    """With the real-time processor on, every save is indexed once, not twice."""
    index = connections["default"].get_unified_index().get_index(Article)
    indexed_pks = []
    update_object = index.update_object

    def counting_update_object(instance, **kwargs):
        indexed_pks.append(instance.pk)
        return update_object(instance, **kwargs)

    monkeypatch.setattr(index, "update_object", counting_update_object)

    article = make_entry("articles", organisation=organisation, title="Μέλι")

    assert indexed_pks == [article.pk]
