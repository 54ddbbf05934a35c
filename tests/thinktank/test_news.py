"""The news of the Cooperative Society: list, detail of a Monday-meeting report, feeds,
writing and editing through the form, filters, pagination and query counts."""

import datetime
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.thinktank import NewsItemFactory, compact_html, listed_titles
from thinktank.models import THEME_CHOICES, Moderation, NewsItem, Revision, Status

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
LIST_URL = "/thinktank/news/"
THEME_A, THEME_B = THEME_CHOICES[0][0], THEME_CHOICES[1][0]


def at_noon(year, month, day):
    return datetime.datetime(year, month, day, 12, 0, tzinfo=ATHENS)


def revisions_of(entry):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(NewsItem), object_id=entry.pk
    )


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Κοινωνική Συνεταιριστική Επιχείρηση Χανίων")


@pytest.fixture
def member(organisation):
    return create_member(
        organisation, email="melos@example.org", first_name="Ελένη", last_name="Παππά"
    )


def form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "kind": NewsItem.Kind.MEETING_REPORT,
        "title": "Συνάντηση της Δευτέρας 13 Ιανουαρίου",
        "summary": "Τι αποφασίσαμε για τη γιορτή της συγκομιδής.",
        "body": "Συναντηθήκαμε στο στέκι της οδού Κυδωνίας.",
        "theme": THEME_A,
        "status": Status.PUBLISHED,
        "publish_at": "2025-01-14T09:00",
        "meeting_date": "2025-01-13",
        "minutes": "1. Η γιορτή γίνεται στις **2 Φεβρουαρίου**.",
    }
    data.update(overrides)
    return data


# The list ------------------------------------------------------------------------------


def test_news_list_shows_only_published_items_to_anonymous_visitors(client):
    NewsItemFactory(title="Δημοσιευμένο νέο", publish_at=at_noon(2025, 1, 10))
    NewsItemFactory(title="Πρόχειρο νέο", status=Status.DRAFT)
    NewsItemFactory(
        title="Προγραμματισμένο νέο", publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    NewsItemFactory(title="Διαγραμμένο νέο", deleted_at=timezone.now())
    NewsItemFactory(title="Κρυμμένο νέο", moderation=Moderation.HIDDEN)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_titles(response) == ["Δημοσιευμένο νέο"]
    html = response.content.decode()
    for hidden_title in ("Πρόχειρο νέο", "Προγραμματισμένο νέο", "Διαγραμμένο νέο", "Κρυμμένο νέο"):
        assert hidden_title not in html


def test_news_list_shows_the_kind_and_meeting_date_of_each_item(client):
    NewsItemFactory(
        title="Δελτίο τύπου για τη συγκομιδή",
        kind=NewsItem.Kind.PRESS_RELEASE,
        publish_at=at_noon(2025, 1, 10),
    )
    NewsItemFactory(
        title="Συνάντηση Δευτέρας",
        kind=NewsItem.Kind.MEETING_REPORT,
        meeting_date=datetime.date(2025, 1, 13),
        publish_at=at_noon(2025, 1, 14),
    )

    html = compact_html(client.get(LIST_URL))

    cards = html.split('<article class="entry-card"')[1:]
    assert len(cards) == 2
    report, press_release = cards  # the newest first
    assert "Συνάντηση Δευτέρας" in report and "Δελτίο τύπου για τη συγκομιδή" in press_release
    assert f'<span class="entry-kind">{NewsItem.Kind.MEETING_REPORT.label}</span>' in report
    assert f'<span class="entry-kind">{NewsItem.Kind.PRESS_RELEASE.label}</span>' in press_release
    meeting_day = format_date(datetime.date(2025, 1, 13), "l j E Y")
    assert (
        f'<p class="entry-card__facts">{gettext("Meeting of")}'
        f'<time datetime="2025-01-13">{meeting_day}</time></p>'
    ) in report
    assert "entry-card__facts" not in press_release


def test_news_list_offers_the_rss_and_atom_feeds(client):
    html = compact_html(client.get(LIST_URL))

    rss, atom = reverse("thinktank:news-feed"), reverse("thinktank:news-atom")
    assert rss == "/thinktank/news/feed/" and atom == "/thinktank/news/feed/atom/"
    title = gettext("News of the Cooperative Society")
    assert (
        f'<link rel="alternate" type="application/rss+xml" title="{title} (RSS)" href="{rss}">'
        in (html)
    )
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)" href="{atom}">'
    ) in html
    assert (
        f'<p class="feed-links">{gettext("Subscribe:")}'
        f'<a href="{rss}" type="application/rss+xml">{gettext("RSS feed")}</a>·'
        f'<a href="{atom}" type="application/atom+xml">{gettext("Atom feed")}</a></p>'
    ) in html


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"organisation": "chania"}, ["Ανακοίνωση Χανίων"]),
        ({"theme": THEME_B}, ["Αρχή της ομάδας"]),
        ({"kind": NewsItem.Kind.MEETING_REPORT}, ["Συνάντηση Μαΐου"]),
        ({"date_from": "2025-04-01", "date_to": "2025-06-30"}, ["Συνάντηση Μαΐου"]),
        ({"date_from": "2025-05-01"}, ["Αρχή της ομάδας", "Συνάντηση Μαΐου"]),
        ({"date_to": "2025-04-30"}, ["Ανακοίνωση Χανίων"]),
    ],
)
def test_news_list_filters_narrow_the_items(client, filters, expected):
    chania = OrganisationFactory(is_verified=True, name="Chania", code="chania")
    other = OrganisationFactory(is_verified=True, name="Iraklio", code="iraklio")
    NewsItemFactory(
        title="Ανακοίνωση Χανίων",
        organisation=chania,
        theme=THEME_A,
        publish_at=at_noon(2025, 3, 10),
    )
    NewsItemFactory(
        title="Συνάντηση Μαΐου",
        organisation=other,
        theme=THEME_A,
        kind=NewsItem.Kind.MEETING_REPORT,
        publish_at=at_noon(2025, 5, 15),
    )
    NewsItemFactory(
        title="Αρχή της ομάδας",
        organisation=other,
        theme=THEME_B,
        kind=NewsItem.Kind.PRINCIPLE,
        publish_at=at_noon(2025, 7, 20),
    )

    response = client.get(LIST_URL, filters)

    assert listed_titles(response) == expected


def test_news_list_second_page_shows_the_oldest_items(client):
    for day in range(1, 23):
        NewsItemFactory(title=f"Νέο της {day}ης Μαρτίου", publish_at=at_noon(2025, 3, day))

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert listed_titles(first) == [f"Νέο της {day}ης Μαρτίου" for day in range(22, 2, -1)]
    assert listed_titles(second) == ["Νέο της 2ης Μαρτίου", "Νέο της 1ης Μαρτίου"]


@pytest.mark.parametrize("count", [1, 30])
def test_news_list_query_count_does_not_grow_with_items(client, django_assert_num_queries, count):
    organisation = OrganisationFactory(is_verified=True)
    author = create_member(organisation, first_name="Νίκος", last_name="Μαρκάκης")
    for number in range(count):
        NewsItemFactory(
            organisation=organisation,
            author=author,
            theme=THEME_A,
            kind=NewsItem.Kind.MEETING_REPORT,
            title=f"Αναφορά {number}",
        )
    client.get(LIST_URL)  # warm the per-process caches (content types, site)

    with django_assert_num_queries(3):
        response = client.get(LIST_URL)

    assert len(listed_titles(response)) == min(count, 20)


# The detail ----------------------------------------------------------------------------


def test_news_detail_of_a_meeting_report_shows_the_date_and_the_minutes(client, organisation):
    report = NewsItemFactory(
        title="Συνάντηση της Δευτέρας",
        organisation=organisation,
        kind=NewsItem.Kind.MEETING_REPORT,
        meeting_date=datetime.date(2025, 1, 13),
        body="Ήρθαν δώδεκα μέλη.",
        minutes="Αποφασίσαμε:\n\n- τη γιορτή της **συγκομιδής**\n- νέο ταμείο",
    )

    response = client.get(report.get_absolute_url())

    html = compact_html(response)
    assert response.status_code == 200
    meeting_day = format_date(datetime.date(2025, 1, 13), "l j E Y")
    assert (
        f'<dl class="entry-facts"><dt>{gettext("Meeting date")}</dt>'
        f'<dd><time datetime="2025-01-13">{meeting_day}</time></dd></dl>'
    ) in html
    assert (
        '<section class="entry-minutes" aria-labelledby="entry-minutes-title">'
        f'<h3 id="entry-minutes-title">{gettext("Minutes of the meeting")}</h3>'
        '<div class="entry-body"><p>Αποφασίσαμε:</p><ul>'
        "<li>τη γιορτή της<strong>συγκομιδής</strong></li><li>νέο ταμείο</li></ul></div></section>"
    ) in html
    assert "<p>Ήρθαν δώδεκα μέλη.</p>" in html


def test_news_detail_of_an_announcement_has_no_minutes_section(client):
    item = NewsItemFactory(kind=NewsItem.Kind.ANNOUNCEMENT, minutes="Κρυφά πρακτικά")

    html = client.get(item.get_absolute_url()).content.decode()

    assert "entry-minutes" not in html
    assert "Κρυφά πρακτικά" not in html
    assert gettext("Meeting date") not in html


def test_news_detail_of_a_draft_is_not_found_by_anonymous_visitors(client):
    draft = NewsItemFactory(status=Status.DRAFT)

    assert client.get(draft.get_absolute_url()).status_code == 404


# Writing and editing ---------------------------------------------------------------------


def test_news_create_by_a_member_saves_the_item_and_revision_1(client, organisation, member):
    client.force_login(member)

    response = client.post(reverse("thinktank:news-create"), form_data(organisation))

    item = NewsItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert (item.title, item.kind, item.organisation, item.author) == (
        "Συνάντηση της Δευτέρας 13 Ιανουαρίου",
        NewsItem.Kind.MEETING_REPORT,
        organisation,
        member,
    )
    assert item.meeting_date == datetime.date(2025, 1, 13)
    assert item.minutes == "1. Η γιορτή γίνεται στις **2 Φεβρουαρίου**."
    assert item.publish_at == datetime.datetime(2025, 1, 14, 9, 0, tzinfo=ATHENS)
    assert item.slug == "synantisi-tis-defteras-13-ianouariou"
    revisions = list(revisions_of(item))
    assert [(r.number, r.author, r.organisation) for r in revisions] == [(1, member, organisation)]
    assert revisions[0].data["minutes"] == "1. Η γιορτή γίνεται στις **2 Φεβρουαρίου**."


def test_news_create_of_a_meeting_report_without_date_is_refused(client, organisation, member):
    client.force_login(member)

    response = client.post(
        reverse("thinktank:news-create"), form_data(organisation, meeting_date="")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["meeting_date"] == [
        gettext("A meeting report needs the date of the meeting.")
    ]
    assert not NewsItem.objects.exists()
    assert not Revision.objects.exists()


def test_news_edit_by_a_member_saves_revision_2_and_shows_the_new_text(
    client, organisation, member
):
    item = NewsItemFactory(
        organisation=organisation,
        author=member,
        kind=NewsItem.Kind.ANNOUNCEMENT,
        body="Παλιό κείμενο.",
    )
    client.force_login(member)

    response = client.post(
        item.url_for("edit"),
        form_data(
            organisation,
            kind=NewsItem.Kind.ANNOUNCEMENT,
            title=item.title,
            meeting_date="",
            minutes="",
            body="Νέο κείμενο της ανακοίνωσης.",
            change_summary="νέο κείμενο",
        ),
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.body == "Νέο κείμενο της ανακοίνωσης."
    assert [(r.number, r.summary) for r in revisions_of(item)] == [
        (2, "νέο κείμενο"),
        (1, gettext("Created")),
    ]
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<p>Νέο κείμενο της ανακοίνωσης.</p>" in html
    assert "Παλιό κείμενο." not in html


def test_news_create_by_a_user_without_organisation_is_forbidden(client, organisation):
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(reverse("thinktank:news-create"))
    post_response = client.post(reverse("thinktank:news-create"), form_data(organisation))

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert not NewsItem.objects.exists()
    assert not Revision.objects.exists()


def test_news_edit_by_a_user_without_organisation_is_forbidden(client, organisation):
    item = NewsItemFactory(organisation=organisation, body="Αρχικό κείμενο.")
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(item.url_for("edit"))
    post_response = client.post(item.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    item.refresh_from_db()
    assert item.body == "Αρχικό κείμενο."
    assert [r.number for r in revisions_of(item)] == [1]


def test_news_create_and_edit_by_anonymous_visitors_redirect_to_log_in(client, organisation):
    item = NewsItemFactory(organisation=organisation, body="Αρχικό κείμενο.")
    login = reverse("customer:login")

    create = client.post(reverse("thinktank:news-create"), form_data(organisation))
    edit = client.post(item.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert create.status_code == 302 and create["Location"] == f"{login}?next=/thinktank/news/new/"
    assert edit.status_code == 302 and edit["Location"] == f"{login}?next={item.url_for('edit')}"
    assert NewsItem.objects.count() == 1
    item.refresh_from_db()
    assert item.body == "Αρχικό κείμενο."
    assert [r.number for r in revisions_of(item)] == [1]
