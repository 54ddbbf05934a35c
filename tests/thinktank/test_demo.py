import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from shop.demo import STAFF_EMAIL, demo_member_email
from thinktank import services
from thinktank.demo import MEETING_REPORT_SLUG, thinktank_demo_counts
from thinktank.models import (
    ENTRY_MODELS,
    Article,
    Document,
    Event,
    Flag,
    Follow,
    Moderation,
    NewsItem,
    Proposal,
    Video,
)
from thinktank.videos import embed_url

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {
    "news": 6,
    "articles": 4,
    "documents": 6,
    "events": 7,
    "videos": 3,
    "proposals": 3,
    "revisions": 37,
    "endorsements": 9,
    "comments": 4,
    "follows": 6,
    "flags": 1,
}


@pytest.fixture
def demo_loaded():
    call_command("load_demo", verbosity=0)
    return thinktank_demo_counts()


def test_load_demo_twice_keeps_the_thinktank_counts_and_emails_nobody(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    first = thinktank_demo_counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)

    assert first == EXPECTED_COUNTS
    assert thinktank_demo_counts() == EXPECTED_COUNTS
    for model in ENTRY_MODELS:
        assert model.objects.published().count() == model.objects.count(), model.section
    assert mailoutbox == []


def test_demo_entries_have_real_files_history_endorsements_and_follows(demo_loaded):
    law = Document.objects.get(law_number="4430/2016")
    assert law.title == "Νόμος 4430/2016 για την Κοινωνική και Αλληλέγγυα Οικονομία"
    assert law.kind == Document.Kind.LEGISLATION
    assert law.gazette_reference == "ΦΕΚ Α' 205/31.10.2016"
    assert law.law_date == datetime.date(2016, 10, 31)
    assert law.file_type == "pdf"
    assert law.file_size > 0
    assert law.file.name.endswith("/nomos-4430-2016.pdf")
    with law.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    assert len(content) == law.file_size
    text = " ".join(law.extracted_text.split())
    assert "Γενικό Μητρώο Φορέων Κοινωνικής και Αλληλέγγυας Οικονομίας" in text
    assert sorted(Document.objects.values_list("kind", "file_type")) == [
        ("legislation", "pdf"),
        ("report", "odt"),
        ("study", "pdf"),
        ("study", "pdf"),
        ("template", "docx"),
        ("template", "xlsx"),
    ]
    bees = Document.objects.get(title="Μελέτη: Οι μελισσοκομικοί συνεταιρισμοί στην Ελλάδα")
    assert "θυμαρίσιο, το πευκόμελο" in " ".join(bees.extracted_text.split())
    statute = Document.objects.get(title="Υπόδειγμα καταστατικού ΚοινΣΕπ")
    assert "Άρθρο 5 – Γενική συνέλευση." in statute.extracted_text

    letter = Proposal.objects.get(kind=Proposal.Kind.OPEN_LETTER)
    assert letter.addressee == "Υπουργείο Εργασίας και Κοινωνικής Ασφάλισης"
    assert letter.open_for_editing
    revisions = list(services.revisions_of(letter))
    assert [revision.number for revision in revisions] == [2, 1]
    assert revisions[0].summary == "Προστέθηκε αίτημα για τις δημόσιες προμήθειες τροφίμων"
    assert revisions[0].organisation.name == "Καταναλωτικός Συνεταιρισμός Κοινός Τόπος"
    assert revisions[1].organisation == letter.organisation
    assert letter.organisation.name == "Δίκτυο Αλληλεγγύης Θεσσαλονίκης"
    assert "5. **Προτεραιότητα στους τοπικούς συνεταιρισμούς" in letter.body
    assert letter.endorsements.count() == 6
    assert letter.comments.count() == 3

    report = NewsItem.objects.get(slug=MEETING_REPORT_SLUG)
    assert report.kind == NewsItem.Kind.MEETING_REPORT
    assert report.meeting_date.weekday() == 0
    assert report.title.startswith("Αναφορά από τη συνάντηση της Δευτέρας ")
    assert "## Αποφάσεις" in report.minutes
    assert [revision.number for revision in services.revisions_of(report)] == [2, 1]
    assert {kind for kind, _label in NewsItem.Kind.choices} == set(
        NewsItem.objects.values_list("kind", flat=True)
    )

    principles = NewsItem.objects.get(kind=NewsItem.Kind.PRINCIPLE)
    assert [revision.organisation.name for revision in services.revisions_of(principles)] == [
        "Γυναικείος Συνεταιρισμός Πέτρας Λέσβου",
        "Ενεργειακή Κοινότητα Καρδίτσας",
        "ΚοινΣΕπ Το Αλώνι",
    ]
    assert set(Article.objects.values_list("organisation__name", flat=True)) == {
        "Ενεργειακή Κοινότητα Καρδίτσας",
        "Κοινωφελής Επιχείρηση Δήμου Νάξου",
        "ΚοινΣΕπ Το Αλώνι",
        "Καταναλωτικός Συνεταιρισμός Κοινός Τόπος",
    }

    seminar = Event.objects.get(title="Πρώτο τριήμερο σεμινάριο του προγράμματος ΜΕΝΤΟΡΕΣ")
    assert seminar.starts_at.date() == datetime.date(2021, 3, 26)
    assert seminar.ends_at.date() == datetime.date(2021, 3, 28)
    assert seminar.place == ""
    assert seminar.online_url == "https://meet.coopsociety.gr/mentores-2021"
    assert Event.objects.filter(starts_at__gt=datetime.datetime.now(datetime.UTC)).count() == 4
    assert seminar.videos.count() == 2
    for video in Video.objects.all():
        assert video.event.is_past
        assert embed_url(video.video_url).startswith("https://www.youtube-nocookie.com/embed/")

    flag = Flag.objects.get()
    assert flag.target.kind == NewsItem.Kind.PRESS_RELEASE
    assert flag.target.moderation == Moderation.VISIBLE
    assert flag.organisation.name == "Συνεταιρισμός Κροκοπαραγωγών Κοζάνης"

    users = get_user_model().objects
    assert set(
        Follow.objects.filter(
            user=users.get(email=demo_member_email("meli-chalkidikis"))
        ).values_list("section", flat=True)
    ) == {"news", "events"}
    assert Follow.objects.get(user=users.get(email=STAFF_EMAIL)).section == "library"
    assert Follow.objects.get(object_id=letter.pk).user.email == demo_member_email(
        "energeia-karditsas"
    )


def test_demo_pages_answer_for_the_hub_sections_and_every_entry(client, demo_loaded):
    response = client.get(reverse("thinktank:hub"))
    assert response.status_code == 200
    assert escape(NewsItem.objects.published().first().title) in response.content.decode()

    next_event = Event.objects.filter(starts_at__gt=datetime.datetime.now(datetime.UTC)).first()
    for model in ENTRY_MODELS:
        response = client.get(reverse(f"thinktank:{model.section}-list"))
        assert response.status_code == 200, model.section
        newest = next_event if model is Event else model.objects.published().first()
        assert escape(newest.title) in response.content.decode(), model.section

        for entry in model.objects.all():
            response = client.get(entry.get_absolute_url())
            assert response.status_code == 200, entry.slug
            assert escape(entry.title) in response.content.decode(), entry.slug
