"""Events: upcoming and past lists, an event's page with its videos, the month
calendar, writing and editing through the form, and query counts."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.thinktank import EventFactory, VideoFactory, listed_titles
from thinktank.models import Event, Moderation, Revision, Status

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
LIST_URL = "/thinktank/events/"
LONG_FORMAT = "l j E Y, H:i"


def athens(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ATHENS)


def from_now(**delta):
    return timezone.now() + datetime.timedelta(**delta)


def revisions_of(event):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Event), object_id=event.pk
    )


def month_url(year, month):
    return reverse("thinktank:events-month-detail", kwargs={"year": year, "month": month})


CELL = re.compile(r'<td data-date="(\d{4}-\d{2}-\d{2})"[^>]*>(.*?)</td>', re.DOTALL)
CELL_LINK = re.compile(r'<li><a href="([^"]+)">([^<]+)</a></li>')


def calendar_cells(response):
    """``{"2026-03-26": [(url, title), …]}`` for every day cell of the month table."""
    return {day: CELL_LINK.findall(cell) for day, cell in CELL.findall(response.content.decode())}


def days_listing(response, title):
    return [day for day, links in calendar_cells(response).items() if title in dict(links).values()]


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Ενεργειακή Κοινότητα Κρήτης")


@pytest.fixture
def member(organisation):
    return create_member(organisation, email="melos@example.org", first_name="Μαρία", last_name="Κ")


def form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Ημερίδα για τις ενεργειακές κοινότητες",
        "summary": "Πώς ιδρύεται μια ενεργειακή κοινότητα.",
        "body": "Ομιλίες και συζήτηση.",
        "theme": "",
        "status": Status.PUBLISHED,
        "publish_at": "2026-01-10T09:00",
        "starts_at": "2030-03-26T18:00",
        "ends_at": "2030-03-26T21:30",
        "place": "Ηράκλειο, Πολιτιστικό Κέντρο",
        "online_url": "https://meet.example.org/imerida",
        "registration_url": "https://forms.example.org/imerida",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


# The list ------------------------------------------------------------------------------


def test_events_list_shows_upcoming_and_ongoing_events_soonest_first(client):
    EventFactory(title="Σε δέκα μέρες", starts_at=from_now(days=10))
    EventFactory(title="Σε δύο μέρες", starts_at=from_now(days=2))
    EventFactory(title="Σε εξέλιξη", starts_at=from_now(days=-1), ends_at=from_now(days=1))
    EventFactory(title="Χθεσινή", starts_at=from_now(days=-1), ends_at=from_now(hours=-20))
    EventFactory(title="Πριν από μία ώρα", starts_at=from_now(hours=-1))
    EventFactory(title="Πρόχειρη", starts_at=from_now(days=3), status=Status.DRAFT)
    EventFactory(title="Κρυμμένη", starts_at=from_now(days=3), moderation=Moderation.HIDDEN)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_titles(response) == ["Σε εξέλιξη", "Σε δύο μέρες", "Σε δέκα μέρες"]
    html = response.content.decode()
    assert (
        f'<a class="nav-link active" href="{LIST_URL}" aria-current="page">'
        f"{gettext('Upcoming events')}</a>"
    ) in html
    assert f'<a class="nav-link" href="{LIST_URL}?when=past">{gettext("Past events")}</a>' in html


def test_events_list_past_keeps_past_events_newest_first(client):
    EventFactory(title="Πέρσι", starts_at=from_now(days=-400))
    EventFactory(title="Χθεσινή", starts_at=from_now(days=-1), ends_at=from_now(hours=-20))
    EventFactory(title="Πριν από μία ώρα", starts_at=from_now(hours=-1))
    EventFactory(title="Σε εξέλιξη", starts_at=from_now(days=-1), ends_at=from_now(days=1))
    EventFactory(title="Αύριο", starts_at=from_now(days=1))
    EventFactory(title="Παλιά πρόχειρη", starts_at=from_now(days=-5), status=Status.DRAFT)

    response = client.get(LIST_URL, {"when": "past"})

    assert listed_titles(response) == ["Πριν από μία ώρα", "Χθεσινή", "Πέρσι"]
    html = response.content.decode()
    assert f"<h1>{gettext('Past events')}</h1>" in html
    assert (
        f'<a class="nav-link active" href="{LIST_URL}?when=past" aria-current="page">'
        f"{gettext('Past events')}</a>"
    ) in html
    # The filters keep showing past events.
    assert '<input type="hidden" name="when" value="past">' in html


def test_events_list_item_shows_when_where_and_the_organiser(client, organisation):
    EventFactory(
        title="Ημερίδα στο Ηράκλειο",
        organisation=organisation,
        starts_at=athens(2030, 3, 26, 18, 0),
        ends_at=athens(2030, 3, 26, 21, 30),
        place="Ηράκλειο, Πολιτιστικό Κέντρο",
    )
    EventFactory(
        title="Διαδικτυακό σεμινάριο",
        organisation=organisation,
        starts_at=athens(2030, 4, 1, 10, 0),
        ends_at=athens(2030, 4, 2, 13, 0),
        place="",
        online_url="https://meet.example.org/seminario",
    )

    html = client.get(LIST_URL).content.decode()

    start = format_date(athens(2030, 3, 26, 18, 0), LONG_FORMAT)
    assert (
        f"<dt>{gettext('When')}</dt>\n"
        f'        <dd><time datetime="2030-03-26T18:00:00+02:00">{start}</time> – '
        '<time datetime="2030-03-26T21:30:00+02:00">21:30</time></dd>\n'
        f"        <dt>{gettext('Where')}</dt>\n"
        "        <dd>Ηράκλειο, Πολιτιστικό Κέντρο</dd>\n"
        f"        <dt>{gettext('Organiser')}</dt>\n"
        f'        <dd><a href="{organisation.get_absolute_url()}">'
        "Ενεργειακή Κοινότητα Κρήτης</a></dd>"
    ) in html
    online_start = format_date(athens(2030, 4, 1, 10, 0), LONG_FORMAT)
    online_end = format_date(athens(2030, 4, 2, 13, 0), LONG_FORMAT)
    assert (
        f'<dd><time datetime="2030-04-01T10:00:00+03:00">{online_start}</time> – '
        f'<time datetime="2030-04-02T13:00:00+03:00">{online_end}</time></dd>\n'
        f"        <dt>{gettext('Where')}</dt>\n"
        f"        <dd>{gettext('Online')}</dd>"
    ) in html


def test_events_list_date_filters_apply_to_the_start(client):
    EventFactory(title="Μάρτιος", starts_at=athens(2030, 3, 26), publish_at=athens(2025, 1, 1))
    EventFactory(title="Απρίλιος", starts_at=athens(2030, 4, 15), publish_at=athens(2025, 3, 26))

    march = client.get(LIST_URL, {"date_from": "2030-03-01", "date_to": "2030-03-31"})
    from_april = client.get(LIST_URL, {"date_from": "2030-04-01"})

    assert listed_titles(march) == ["Μάρτιος"]
    assert listed_titles(from_april) == ["Απρίλιος"]


def test_events_list_links_the_icalendar_feed_and_the_month_calendar(client):
    html = client.get(LIST_URL).content.decode()

    feed = reverse("thinktank:events-calendar")
    assert feed == "/thinktank/events/calendar.ics"
    title = gettext("Events of the Cooperative Society (iCalendar)")
    assert f'<link rel="alternate" type="text/calendar" title="{title}" href="{feed}">' in html
    assert (
        f'<a class="btn btn-secondary" href="{feed}">'
        f"{gettext('Subscribe to the calendar (iCalendar)')}</a>"
    ) in html
    assert (
        f'<a class="btn btn-secondary" href="/thinktank/events/month/">'
        f"{gettext('Month calendar')}</a>"
    ) in html


@pytest.mark.parametrize("count", [1, 30])
def test_events_list_query_count_does_not_grow_with_events(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory(is_verified=True)
    for number in range(count):
        EventFactory(title=f"Εκδήλωση {number}", organisation=organisation,
                     starts_at=from_now(days=number + 1))  # fmt: skip
    client.get(LIST_URL)  # warm the per-process caches (content types, site)

    # Organisations for the filter, paginator count, the events with their organisations.
    with django_assert_num_queries(3):
        response = client.get(LIST_URL)

    assert len(listed_titles(response)) == min(count, 20)


# The detail ----------------------------------------------------------------------------


def test_events_detail_shows_times_place_links_organiser_and_videos(client, organisation):
    event = EventFactory(
        title="Ημερίδα στο Ηράκλειο",
        organisation=organisation,
        starts_at=athens(2030, 3, 26, 18, 0),
        ends_at=athens(2030, 3, 27, 14, 0),
        place="Ηράκλειο, Πολιτιστικό Κέντρο",
        online_url="https://meet.example.org/imerida",
        registration_url="https://forms.example.org/imerida",
    )
    video = VideoFactory(title="Η πρώτη μέρα της ημερίδας", event=event)
    VideoFactory(title="Πρόχειρο βίντεο", event=event, status=Status.DRAFT)
    VideoFactory(title="Βίντεο άλλης εκδήλωσης")

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    start = format_date(athens(2030, 3, 26, 18, 0), LONG_FORMAT)
    end = format_date(athens(2030, 3, 27, 14, 0), LONG_FORMAT)
    assert (
        '<dl class="event-facts">\n'
        f"    <dt>{gettext('Starts')}</dt>\n"
        f'    <dd><time datetime="2030-03-26T18:00:00+02:00">{start}</time></dd>\n'
        f"    \n        <dt>{gettext('Ends')}</dt>\n"
        f'        <dd><time datetime="2030-03-27T14:00:00+02:00">{end}</time></dd>\n'
        f"    \n    <dt>{gettext('Place')}</dt>\n"
        "    <dd>Ηράκλειο, Πολιτιστικό Κέντρο</dd>\n"
        f"    \n        <dt>{gettext('Online link')}</dt>\n"
        '        <dd><a href="https://meet.example.org/imerida" rel="noopener">'
        f"{gettext('Join online')}</a></dd>\n"
        f"    \n    \n        <dt>{gettext('Registration')}</dt>\n"
        '        <dd><a href="https://forms.example.org/imerida" rel="noopener">'
        f"{gettext('Register for the event')}</a></dd>\n"
        f"    \n    <dt>{gettext('Organiser')}</dt>\n"
        f'    <dd><a href="{organisation.get_absolute_url()}">'
        "Ενεργειακή Κοινότητα Κρήτης</a></dd>\n"
        "</dl>"
    ) in html
    assert f'<h2 id="event-videos-title">{gettext("Videos of this event")}</h2>' in html
    assert f'<li><a href="{video.get_absolute_url()}">Η πρώτη μέρα της ημερίδας</a></li>' in html
    assert "Πρόχειρο βίντεο" not in html
    assert "Βίντεο άλλης εκδήλωσης" not in html
    assert f'<a href="{month_url(2030, 3)}">{gettext("See the month in the calendar")}</a>' in html
    assert gettext("This event has taken place.") not in html


def test_events_detail_of_an_online_past_event_says_online_and_over(client):
    event = EventFactory(
        starts_at=athens(2024, 5, 2, 17, 0), place="", online_url="https://meet.example.org/x"
    )

    html = client.get(event.get_absolute_url()).content.decode()

    assert f"<dt>{gettext('Place')}</dt>\n    <dd>{gettext('Online')}</dd>" in html
    assert gettext("This event has taken place.") in html
    assert "event-videos" not in html
    assert f"<dt>{gettext('Ends')}</dt>" not in html


def test_events_detail_of_a_draft_is_not_found_by_anonymous_visitors(client):
    draft = EventFactory(status=Status.DRAFT)

    assert client.get(draft.get_absolute_url()).status_code == 404


# The month calendar ----------------------------------------------------------------------


def test_events_month_lists_each_event_in_its_day_cells(client):
    festival = EventFactory(title="Γιορτή της ελιάς", starts_at=athens(2026, 3, 26, 18, 0))
    fair = EventFactory(title="Τριήμερη έκθεση", starts_at=athens(2026, 3, 10, 10, 0),
                        ends_at=athens(2026, 3, 12, 16, 0))  # fmt: skip
    EventFactory(title="Πρόχειρη", starts_at=athens(2026, 3, 26, 9, 0), status=Status.DRAFT)
    EventFactory(title="Απριλίου", starts_at=athens(2026, 4, 1, 10, 0))

    response = client.get(month_url(2026, 3))

    assert response.status_code == 200
    cells = calendar_cells(response)
    assert list(cells) == [f"2026-03-{day:02d}" for day in range(1, 32)]
    assert cells["2026-03-26"] == [(festival.get_absolute_url(), "Γιορτή της ελιάς")]
    assert days_listing(response, "Τριήμερη έκθεση") == ["2026-03-10", "2026-03-11", "2026-03-12"]
    assert cells["2026-03-11"] == [(fair.get_absolute_url(), "Τριήμερη έκθεση")]
    assert sum(len(links) for links in cells.values()) == 4
    html = response.content.decode()
    assert "Πρόχειρη" not in html
    assert "Απριλίου" not in html


def test_events_month_lists_an_event_across_months_in_each_month(client):
    EventFactory(title="Κατασκήνωση", starts_at=athens(2026, 3, 30, 9, 0),
                 ends_at=athens(2026, 4, 2, 0, 0))  # fmt: skip

    march = client.get(month_url(2026, 3))
    april = client.get(month_url(2026, 4))

    assert days_listing(march, "Κατασκήνωση") == ["2026-03-30", "2026-03-31"]
    # Ending at midnight, it does not take up 2 April.
    assert days_listing(april, "Κατασκήνωση") == ["2026-04-01"]


def test_events_month_table_is_accessible(client):
    response = client.get(month_url(2026, 3))

    html = response.content.decode()
    march = format_date(datetime.date(2026, 3, 1), "F Y")
    assert f"<caption>{march}</caption>" in html
    headers = re.findall(r'<th scope="col"><abbr title="([^"]+)">([^<]+)</abbr></th>', html)
    monday = datetime.date(2026, 3, 2)
    assert headers == [
        (format_date(monday + datetime.timedelta(days=n), "l"),
         format_date(monday + datetime.timedelta(days=n), "D"))
        for n in range(7)
    ]  # fmt: skip
    # 1 March 2026 is a Sunday: the first week has six empty cells before it.
    first_row = html[html.index("<tbody>") : html.index("</tr>", html.index("<tbody>"))]
    assert first_row.count('<td class="event-calendar__outside"></td>') == 6
    assert 'aria-current="date"' not in html
    title = gettext("Events in %(month)s") % {"month": march}
    assert f"<h1>{title}</h1>" in html
    assert f"<p>{gettext('No events this month.')}</p>" in html


def test_events_month_links_the_previous_and_next_months(client):
    html = client.get(month_url(2026, 1)).content.decode()

    previous = gettext("Previous month: %(month)s") % {
        "month": format_date(datetime.date(2025, 12, 1), "F Y")
    }
    following = gettext("Next month: %(month)s") % {
        "month": format_date(datetime.date(2026, 2, 1), "F Y")
    }
    assert (
        f'<a class="page-link" href="{month_url(2025, 12)}"><span aria-hidden="true">‹</span> '
        f"{previous}</a>"
    ) in html
    assert (
        f'<a class="page-link" href="{month_url(2026, 2)}">{following} '
        '<span aria-hidden="true">›</span></a>'
    ) in html


def test_events_month_without_date_shows_the_current_month_with_today_marked(client):
    today = timezone.localdate()
    event = EventFactory(title="Σήμερα", starts_at=timezone.now())

    response = client.get(reverse("thinktank:events-month"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<caption>{format_date(today, 'F Y')}</caption>" in html
    marked = re.findall(r'<td data-date="([\d-]+)" class="[^"]*" aria-current="date">', html)
    assert marked == [today.isoformat()]
    assert calendar_cells(response)[today.isoformat()] == [(event.get_absolute_url(), "Σήμερα")]
    # No link to the month shown.
    assert f'href="{reverse("thinktank:events-month")}">' not in html


@pytest.mark.parametrize(
    "url",
    [
        "/thinktank/events/month/2026/13/",
        "/thinktank/events/month/2026/0/",
        "/thinktank/events/month/1800/3/",
        "/thinktank/events/month/99999/3/",
    ],
)
def test_events_month_invalid_month_is_not_found(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_events_month_query_count_does_not_grow_with_events(
    client, django_assert_num_queries, count
):
    for number in range(count):
        EventFactory(title=f"Εκδήλωση {number}", starts_at=athens(2026, 3, 1 + number % 28, 10),
                     ends_at=athens(2026, 3, 1 + number % 28, 12))  # fmt: skip
    client.get(month_url(2026, 3))

    # The month's events, and nothing else.
    with django_assert_num_queries(1):
        response = client.get(month_url(2026, 3))

    assert sum(len(links) for links in calendar_cells(response).values()) == count


# Writing and editing ---------------------------------------------------------------------


def test_events_create_by_a_member_saves_the_event_and_revision_1(client, organisation, member):
    client.force_login(member)

    response = client.post(reverse("thinktank:events-create"), form_data(organisation))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert (event.title, event.organisation, event.author, event.slug) == (
        "Ημερίδα για τις ενεργειακές κοινότητες", organisation, member,
        "imerida-gia-tis-energeiakes-koinotites",
    )  # fmt: skip
    assert (event.starts_at, event.ends_at) == (
        athens(2030, 3, 26, 18),
        athens(2030, 3, 26, 21, 30),
    )
    assert (event.place, event.online_url, event.registration_url) == (
        "Ηράκλειο, Πολιτιστικό Κέντρο",
        "https://meet.example.org/imerida",
        "https://forms.example.org/imerida",
    )
    revisions = list(revisions_of(event))
    assert [(r.number, r.author, r.organisation) for r in revisions] == [(1, member, organisation)]
    assert revisions[0].data["starts_at"] == "2030-03-26T18:00:00+02:00"
    assert revisions[0].data["place"] == "Ηράκλειο, Πολιτιστικό Κέντρο"


def test_events_create_without_place_or_link_is_refused(client, organisation, member):
    client.force_login(member)

    response = client.post(
        reverse("thinktank:events-create"), form_data(organisation, place="", online_url="")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["place"] == [
        gettext("Give a place, an online link, or both.")
    ]
    assert not Event.objects.exists()
    assert not Revision.objects.exists()


def test_events_edit_by_a_member_saves_revision_2_and_shows_the_new_place(
    client, organisation, member
):
    event = EventFactory(organisation=organisation, author=member, title="Ημερίδα",
                         starts_at=athens(2030, 3, 26, 18), place="Χανιά")  # fmt: skip
    client.force_login(member)

    response = client.post(
        event.url_for("edit"),
        form_data(organisation, title="Ημερίδα", place="Ρέθυμνο, Δημαρχείο",
                  change_summary="νέος χώρος"),
    )  # fmt: skip

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.place == "Ρέθυμνο, Δημαρχείο"
    assert [(r.number, r.summary) for r in revisions_of(event)] == [
        (2, "νέος χώρος"),
        (1, gettext("Created")),
    ]
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<dd>Ρέθυμνο, Δημαρχείο</dd>" in html
    assert "Χανιά" not in html


def test_events_create_and_edit_by_a_user_without_organisation_are_forbidden(client, organisation):
    event = EventFactory(organisation=organisation, place="Χανιά")
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    create = client.post(reverse("thinktank:events-create"), form_data(organisation))
    edit = client.post(event.url_for("edit"), form_data(organisation, place="Αλλού"))

    assert (create.status_code, edit.status_code) == (403, 403)
    assert Event.objects.count() == 1
    event.refresh_from_db()
    assert event.place == "Χανιά"
    assert [r.number for r in revisions_of(event)] == [1]


def test_events_create_and_edit_by_anonymous_visitors_redirect_to_log_in(client, organisation):
    event = EventFactory(organisation=organisation, place="Χανιά")
    login = reverse("customer:login")

    create = client.post(reverse("thinktank:events-create"), form_data(organisation))
    edit = client.post(event.url_for("edit"), form_data(organisation, place="Αλλού"))

    assert create.status_code == 302
    assert create["Location"] == f"{login}?next=/thinktank/events/new/"
    assert edit.status_code == 302 and edit["Location"] == f"{login}?next={event.url_for('edit')}"
    assert Event.objects.count() == 1
    event.refresh_from_db()
    assert event.place == "Χανιά"
    assert [r.number for r in revisions_of(event)] == [1]
