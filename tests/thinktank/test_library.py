"""The digital library: list with file type and size, detail with the download link and
the facts of a law, uploading through the form (real PDFs, refused fakes), editing,
filters, pagination and query counts."""

import datetime
import functools
import io
import zoneinfo
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image

from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.thinktank import DocumentFactory, compact_html, listed_titles
from thinktank.demo_files import law_pdf_bytes
from thinktank.models import THEME_CHOICES, Document, Moderation, Revision, Status

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
LIST_URL = "/thinktank/library/"
THEME_A, THEME_B = THEME_CHOICES[0][0], THEME_CHOICES[1][0]
LAW_TITLE = "Νόμος 4430/2016 για την Κοινωνική και Αλληλέγγυα Οικονομία"
LAW_PARAGRAPHS = [
    "Άρθρο 1. Σκοπός του νόμου είναι η ανάπτυξη της Κοινωνικής και Αλληλέγγυας Οικονομίας.",
    "Άρθρο 2. Οι Κοινωνικές Συνεταιριστικές Επιχειρήσεις εγγράφονται στο Μητρώο.",
]


def at_noon(year, month, day):
    return datetime.datetime(year, month, day, 12, 0, tzinfo=ATHENS)


def revisions_of(entry):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Document), object_id=entry.pk
    )


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def stored_files(settings):
    return sorted(path.name for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Δίκτυο Κοινωνικής Οικονομίας Κρήτης")


@pytest.fixture
def member(organisation):
    return create_member(organisation, email="vivliothiki@example.org")


def form_data(organisation, upload=None, **overrides):
    data = {
        "organisation": organisation.pk,
        "kind": Document.Kind.LEGISLATION,
        "title": LAW_TITLE,
        "summary": "Ο βασικός νόμος για την κοινωνική οικονομία.",
        "body": "Το πλήρες κείμενο του νόμου.",
        "theme": THEME_A,
        "status": Status.PUBLISHED,
        "publish_at": "2025-02-03T11:00",
        "law_number": "4430/2016",
        "gazette_reference": "ΦΕΚ Α' 205/31.10.2016",
        "law_date": "2016-10-31",
    }
    if upload is not None:
        data["file"] = upload
    data.update(overrides)
    return data


@functools.cache
def law_pdf():
    return law_pdf_bytes(LAW_TITLE, LAW_PARAGRAPHS)


def pdf_upload(name="nomos-4430.pdf"):
    return SimpleUploadedFile(name, law_pdf(), content_type="application/pdf")


# The list ------------------------------------------------------------------------------


def test_library_list_shows_only_published_documents_to_anonymous_visitors(client):
    DocumentFactory(title="Δημοσιευμένη μελέτη", publish_at=at_noon(2025, 1, 10))
    DocumentFactory(title="Πρόχειρη μελέτη", status=Status.DRAFT)
    DocumentFactory(
        title="Προγραμματισμένη μελέτη", publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    DocumentFactory(title="Διαγραμμένη μελέτη", deleted_at=timezone.now())
    DocumentFactory(title="Κρυμμένη μελέτη", moderation=Moderation.HIDDEN)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_titles(response) == ["Δημοσιευμένη μελέτη"]
    html = response.content.decode()
    for hidden_title in (
        "Πρόχειρη μελέτη",
        "Προγραμματισμένη μελέτη",
        "Διαγραμμένη μελέτη",
        "Κρυμμένη μελέτη",
    ):
        assert hidden_title not in html


def test_library_list_shows_kind_file_type_and_size(client):
    document = DocumentFactory(title="Υπόδειγμα καταστατικού", kind=Document.Kind.TEMPLATE)

    html = compact_html(client.get(LIST_URL))

    assert document.file_type == "pdf" and document.file_size > 0
    assert f'<span class="entry-kind">{Document.Kind.TEMPLATE.label}</span>' in html
    assert (
        '<p class="entry-card__facts"><span class="entry-file">'
        f"PDF · {filesizeformat(document.file_size)}</span></p>"
    ) in html


def test_library_list_shows_the_number_of_a_law(client):
    law = DocumentFactory(kind=Document.Kind.LEGISLATION, law_number="4430/2016")

    html = compact_html(client.get(LIST_URL))

    law_label = gettext("Law %(number)s") % {"number": "4430/2016"}
    assert (
        f'<p class="entry-card__facts">{law_label} ·'
        f'<span class="entry-file">PDF · {filesizeformat(law.file_size)}</span></p>'
    ) in html


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"organisation": "heraklion"}, ["Μελέτη Ηρακλείου"]),
        ({"theme": THEME_B}, ["Έκθεση πεπραγμένων"]),
        ({"kind": Document.Kind.LEGISLATION}, ["Νόμος για τους συνεταιρισμούς"]),
        ({"date_from": "2025-04-01", "date_to": "2025-06-30"}, ["Νόμος για τους συνεταιρισμούς"]),
        ({"date_from": "2025-05-01"}, ["Έκθεση πεπραγμένων", "Νόμος για τους συνεταιρισμούς"]),
        ({"kind": Document.Kind.REPORT, "organisation": "heraklion"}, []),
    ],
)
def test_library_list_filters_narrow_the_documents(client, filters, expected):
    heraklion = OrganisationFactory(is_verified=True, name="Heraklion", code="heraklion")
    other = OrganisationFactory(is_verified=True, name="Patras", code="patras")
    DocumentFactory(
        title="Μελέτη Ηρακλείου",
        organisation=heraklion,
        theme=THEME_A,
        kind=Document.Kind.STUDY,
        publish_at=at_noon(2025, 3, 10),
    )
    DocumentFactory(
        title="Νόμος για τους συνεταιρισμούς",
        organisation=other,
        theme=THEME_A,
        kind=Document.Kind.LEGISLATION,
        law_number="4384/2016",
        publish_at=at_noon(2025, 5, 15),
    )
    DocumentFactory(
        title="Έκθεση πεπραγμένων",
        organisation=other,
        theme=THEME_B,
        kind=Document.Kind.REPORT,
        publish_at=at_noon(2025, 7, 20),
    )

    response = client.get(LIST_URL, filters)

    assert listed_titles(response) == expected


def test_library_list_second_page_shows_the_oldest_documents(client):
    for day in range(1, 23):
        DocumentFactory(title=f"Έγγραφο της {day}ης Μαΐου", publish_at=at_noon(2025, 5, day))

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert listed_titles(first) == [f"Έγγραφο της {day}ης Μαΐου" for day in range(22, 2, -1)]
    assert listed_titles(second) == ["Έγγραφο της 2ης Μαΐου", "Έγγραφο της 1ης Μαΐου"]


@pytest.mark.parametrize("count", [1, 30])
def test_library_list_query_count_does_not_grow_with_documents(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory(is_verified=True)
    author = create_member(organisation, first_name="Σοφία", last_name="Βλαχάκη")
    for number in range(count):
        DocumentFactory(
            organisation=organisation,
            author=author,
            theme=THEME_A,
            kind=Document.Kind.LEGISLATION,
            law_number=f"{number}/2020",
            title=f"Έγγραφο {number}",
        )
    client.get(LIST_URL)  # warm the per-process caches (content types, site)

    with django_assert_num_queries(3):
        response = client.get(LIST_URL)

    assert len(listed_titles(response)) == min(count, 20)


# The detail ----------------------------------------------------------------------------


def test_library_detail_of_a_law_shows_its_facts_and_download_link(client, organisation):
    law = DocumentFactory(
        title=LAW_TITLE,
        organisation=organisation,
        kind=Document.Kind.LEGISLATION,
        law_number="4430/2016",
        gazette_reference="ΦΕΚ Α' 205/31.10.2016",
        law_date=datetime.date(2016, 10, 31),
        pdf_title=LAW_TITLE,
        pdf_paragraphs=tuple(LAW_PARAGRAPHS),
    )

    response = client.get(law.get_absolute_url())

    html = compact_html(response)
    assert response.status_code == 200
    assert law.file.url.startswith("/media/library/") and law.file.url.endswith(".pdf")
    law_day = format_date(datetime.date(2016, 10, 31), "j E Y")
    assert (
        '<dl class="entry-facts">'
        f"<dt>{gettext('Law number')}</dt><dd>4430/2016</dd>"
        f"<dt>{gettext('Government Gazette (ΦΕΚ)')}</dt><dd>ΦΕΚ Α&#x27; 205/31.10.2016</dd>"
        f"<dt>{gettext('Date of the law')}</dt>"
        f'<dd><time datetime="2016-10-31">{law_day}</time></dd>'
        "</dl>"
    ) in html
    download = gettext("Download the document (%(type)s, %(size)s)") % {
        "type": "PDF",
        "size": filesizeformat(law.file_size),
    }
    assert (
        '<p class="entry-download">'
        f'<a class="btn btn-primary" href="{law.file.url}">{download}</a></p>'
    ) in html


def test_library_detail_of_a_study_has_no_law_facts(client):
    study = DocumentFactory(kind=Document.Kind.STUDY, law_number="")

    html = compact_html(client.get(study.get_absolute_url()))

    assert "entry-facts" not in html
    assert gettext("Law number") not in html
    assert f'<a class="btn btn-primary" href="{study.file.url}">' in html


# Writing and editing ---------------------------------------------------------------------


def test_library_create_with_a_pdf_stores_its_type_size_and_text(client, organisation, member):
    client.force_login(member)
    upload = pdf_upload()
    size = upload.size

    response = client.post(reverse("thinktank:library-create"), form_data(organisation, upload))

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert (document.kind, document.law_number, document.gazette_reference, document.law_date) == (
        Document.Kind.LEGISLATION,
        "4430/2016",
        "ΦΕΚ Α' 205/31.10.2016",
        datetime.date(2016, 10, 31),
    )
    assert (document.organisation, document.author) == (organisation, member)
    assert document.file_type == "pdf"
    assert document.file_size == size
    assert document.file.name.startswith("library/") and document.file.name.endswith(
        "/nomos-4430.pdf"
    )
    assert "Άρθρο 1. Σκοπός του νόμου" in document.extracted_text
    assert "Μητρώο" in document.extracted_text
    with document.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert [(r.number, r.author) for r in revisions_of(document)] == [(1, member)]


def test_library_create_refuses_a_png_renamed_pdf(client, organisation, member, settings):
    client.force_login(member)
    fake = SimpleUploadedFile("nomos.pdf", png_bytes(), content_type="application/pdf")

    response = client.post(reverse("thinktank:library-create"), form_data(organisation, fake))

    assert response.status_code == 200
    refusal = gettext("Only PDF, ODT, DOCX and XLSX documents are allowed.")
    assert response.context["form"].errors["file"] == [refusal]
    assert f'<p class="text-danger" role="alert">{refusal}</p>' in compact_html(response)
    assert not Document.objects.exists()
    assert not Revision.objects.exists()
    assert stored_files(settings) == []


def test_library_create_of_legislation_without_number_is_refused(
    client, organisation, member, settings
):
    client.force_login(member)

    response = client.post(
        reverse("thinktank:library-create"), form_data(organisation, pdf_upload(), law_number="")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["law_number"] == [
        gettext("Legislation needs its law number.")
    ]
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_library_create_form_posts_multipart(client, member):
    client.force_login(member)

    html = compact_html(client.get(reverse("thinktank:library-create")))

    assert (
        '<form method="post" enctype="multipart/form-data" class="entry-form" novalidate>' in html
    )
    assert '<input type="file" name="file"' in html


def test_library_edit_by_a_member_saves_revision_2_and_keeps_the_file(client, organisation, member):
    document = DocumentFactory(
        organisation=organisation, author=member, kind=Document.Kind.STUDY, body="Πρώτη περιγραφή."
    )
    file_name, file_size = document.file.name, document.file_size
    client.force_login(member)

    response = client.post(
        document.url_for("edit"),
        form_data(
            organisation,
            kind=Document.Kind.STUDY,
            title=document.title,
            law_number="",
            gazette_reference="",
            law_date="",
            body="Νέα **περιγραφή** της μελέτης.",
            change_summary="νέα περιγραφή",
        ),
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.body == "Νέα **περιγραφή** της μελέτης."
    assert (document.file.name, document.file_size, document.file_type) == (
        file_name,
        file_size,
        "pdf",
    )
    assert [(r.number, r.summary) for r in revisions_of(document)] == [
        (2, "νέα περιγραφή"),
        (1, gettext("Created")),
    ]
    html = compact_html(client.get(document.get_absolute_url()))
    assert "<p>Νέα<strong>περιγραφή</strong>της μελέτης.</p>" in html
    assert "Πρώτη περιγραφή." not in html


def test_library_create_by_a_user_without_organisation_is_forbidden(client, organisation, settings):
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(reverse("thinktank:library-create"))
    post_response = client.post(
        reverse("thinktank:library-create"), form_data(organisation, pdf_upload())
    )

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert not Document.objects.exists()
    assert not Revision.objects.exists()
    assert stored_files(settings) == []


def test_library_edit_by_a_user_without_organisation_is_forbidden(client, organisation):
    document = DocumentFactory(organisation=organisation, body="Πρώτη περιγραφή.")
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(document.url_for("edit"))
    post_response = client.post(
        document.url_for("edit"), form_data(organisation, body="Αλλαγμένο.")
    )

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    document.refresh_from_db()
    assert document.body == "Πρώτη περιγραφή."
    assert [r.number for r in revisions_of(document)] == [1]


def test_library_create_and_edit_by_anonymous_visitors_redirect_to_log_in(client, organisation):
    document = DocumentFactory(organisation=organisation, body="Πρώτη περιγραφή.")
    login = reverse("customer:login")

    create = client.post(reverse("thinktank:library-create"), form_data(organisation, pdf_upload()))
    edit = client.post(document.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert (
        create.status_code == 302 and create["Location"] == f"{login}?next=/thinktank/library/new/"
    )
    assert (
        edit.status_code == 302 and edit["Location"] == f"{login}?next={document.url_for('edit')}"
    )
    assert Document.objects.count() == 1
    document.refresh_from_db()
    assert document.body == "Πρώτη περιγραφή."
    assert [r.number for r in revisions_of(document)] == [1]
