"""The programme's iCalendar files, read back with the ``icalendar`` library: all
sessions, one theme's, a user's personal feed behind a secret address, and the one-event
file attached to confirmation e-mails."""

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from mentors.calendars import session_ics
from mentors.models import CalendarToken, Registration
from tests.factories import UserFactory
from tests.factories.mentors import (
    CoOrganiserFactory,
    MentorProfileFactory,
    RegistrationFactory,
    SessionFactory,
    athens,
    theme,
)

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
ROOM_URL = "https://zoom.example.org/j/123?pwd=never-in-a-calendar"


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


def summaries(events):
    return [str(event["SUMMARY"]) for event in events]


def test_sessions_calendar_has_every_published_session_in_athens_time(client):
    winter = SessionFactory(title="Κοινωνικά αγροκτήματα", starts_at=athens(2021, 3, 26, 18, 0))
    summer = SessionFactory(
        title="Ενεργειακές κοινότητες",
        theme=theme("green-economy-energy-communities"),
        starts_at=athens(2021, 3, 28, 10, 30),  # the first day of summer time
        duration=datetime.timedelta(hours=1, minutes=30),
    )
    SessionFactory(title="Αδημοσίευτη", starts_at=athens(2021, 3, 27, 18, 0), is_published=False)

    calendar, events = events_of(client.get("/mentors/sessions/calendar.ics"))

    assert summaries(events) == ["Κοινωνικά αγροκτήματα", "Ενεργειακές κοινότητες"]
    first, second = events
    assert first["DTSTART"].dt == datetime.datetime(2021, 3, 26, 18, 0, tzinfo=ATHENS)
    assert first["DTSTART"].params["TZID"] == "Europe/Athens"
    assert first["DTSTART"].dt.utcoffset() == datetime.timedelta(hours=2)
    assert first["DTEND"].dt == datetime.datetime(2021, 3, 26, 20, 0, tzinfo=ATHENS)
    assert second["DTSTART"].dt == datetime.datetime(2021, 3, 28, 10, 30, tzinfo=ATHENS)
    assert second["DTSTART"].dt.utcoffset() == datetime.timedelta(hours=3)
    assert second["DTEND"].dt == datetime.datetime(2021, 3, 28, 12, 0, tzinfo=ATHENS)
    assert str(first["UID"]) == f"mentors-session-{winter.pk}@coopsociety.gr"
    assert str(second["UID"]) == f"mentors-session-{summer.pk}@coopsociety.gr"
    assert str(first["URL"]) == f"http://testserver/mentors/sessions/{winter.pk}/"
    assert str(first["LOCATION"]) == "Διαδικτυακά"
    # The calendar carries the VTIMEZONE its TZID names, with the summer-time rule.
    [vtimezone] = calendar.walk("VTIMEZONE")
    athens_rules = vtimezone.to_tz()
    assert datetime.datetime(2021, 3, 26, 18, tzinfo=athens_rules).utcoffset() == (
        datetime.timedelta(hours=2)
    )
    assert datetime.datetime(2021, 3, 28, 10, 30, tzinfo=athens_rules).utcoffset() == (
        datetime.timedelta(hours=3)
    )


def test_sessions_calendar_in_english_describes_the_session_in_plain_text(client):
    co_organiser = CoOrganiserFactory(name="Δήμος Ηρακλείου")
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=athens(2021, 3, 26, 18, 0),
        description="Τα **κοινωνικά αγροκτήματα** στην πράξη. <script>alert(1)</script>",
        mentors=[
            MentorProfileFactory(user__first_name="Ελένη", user__last_name="Παπαδοπούλου"),
            MentorProfileFactory(user__first_name="Γιώργος", user__last_name="Αλεξίου"),
        ],
        co_organiser=co_organiser,
        room_kind="link",
        room_url=ROOM_URL,
    )

    response = client.get("/en/mentors/sessions/calendar.ics")

    calendar, [event] = events_of(response)
    assert str(calendar["X-WR-CALNAME"]) == "MENTORS programme: sessions"
    assert str(event["DESCRIPTION"]) == (
        "Theme: The agri-food sector\n"
        "Mentors: Γιώργος Αλεξίου, Ελένη Παπαδοπούλου\n"
        "Co-organised with: Δήμος Ηρακλείου\n"
        "The room link appears on the session page 15 minutes before the start.\n"
        "\n"
        "Τα κοινωνικά αγροκτήματα στην πράξη."
    )
    assert str(event["LOCATION"]) == "Online"
    assert str(event["URL"]) == f"http://testserver/en/mentors/sessions/{session.pk}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    # The room link is never written into a calendar.
    assert b"never-in-a-calendar" not in response.content
    assert session.jitsi_room.encode() not in response.content


def test_theme_calendar_has_only_that_themes_sessions(client):
    SessionFactory(title="Κοινωνικά αγροκτήματα", starts_at=athens(2021, 3, 26, 18, 0))
    SessionFactory(title="Τοπικές αγορές", starts_at=athens(2021, 3, 27, 10, 0))
    SessionFactory(
        title="Κοινωνικά ιατρεία", theme=theme("health"), starts_at=athens(2021, 3, 26, 10, 0)
    )
    SessionFactory(title="Πρόχειρο", starts_at=athens(2021, 3, 28, 10, 0), is_published=False)

    calendar, events = events_of(client.get("/en/mentors/themes/agri-food/calendar.ics"))

    assert str(calendar["X-WR-CALNAME"]) == "MENTORS programme: The agri-food sector"
    assert summaries(events) == ["Κοινωνικά αγροκτήματα", "Τοπικές αγορές"]
    assert events[1]["DTSTART"].dt == datetime.datetime(2021, 3, 27, 10, 0, tzinfo=ATHENS)


def test_theme_calendar_of_an_unknown_theme_is_not_found(client):
    assert client.get("/mentors/themes/no-such-theme/calendar.ics").status_code == 404


def test_personal_calendar_lists_confirmed_and_tentative_waitlisted_sessions(client):
    user = UserFactory()
    confirmed = SessionFactory(title="Επιβεβαιωμένη", starts_at=athens(2021, 3, 26, 18, 0))
    waiting = SessionFactory(title="Σε αναμονή", starts_at=athens(2021, 3, 27, 18, 0))
    cancelled = SessionFactory(title="Ακυρωμένη", starts_at=athens(2021, 3, 28, 10, 0))
    hidden = SessionFactory(
        title="Αποσυρμένη", starts_at=athens(2021, 3, 28, 12, 0), is_published=False
    )
    RegistrationFactory(user=user, session=confirmed)
    RegistrationFactory(user=user, session=waiting, status=Registration.Status.WAITLISTED)
    RegistrationFactory(user=user, session=cancelled, status=Registration.Status.CANCELLED)
    RegistrationFactory(user=user, session=hidden)
    RegistrationFactory(session=SessionFactory(title="Άλλου χρήστη"))
    token = CalendarToken.objects.create(user=user)

    response = client.get(f"/mentors/calendar/{token.token}.ics")

    _calendar, events = events_of(response)
    assert [(str(e["SUMMARY"]), str(e["STATUS"]), e["DTSTART"].dt) for e in events] == [
        ("Επιβεβαιωμένη", "CONFIRMED", datetime.datetime(2021, 3, 26, 18, 0, tzinfo=ATHENS)),
        ("Σε αναμονή", "TENTATIVE", datetime.datetime(2021, 3, 27, 18, 0, tzinfo=ATHENS)),
    ]
    assert response["Cache-Control"] == "private, no-store"


def test_personal_calendar_with_an_unknown_token_is_not_found(client):
    CalendarToken.objects.create(user=UserFactory())

    assert client.get("/mentors/calendar/not-a-token.ics").status_code == 404


def test_my_calendar_page_needs_a_signed_in_user(client):
    response = client.get("/en/mentors/calendar/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/en/mentors/calendar/"
    assert not CalendarToken.objects.exists()


def test_my_calendar_page_shows_the_personal_feed_address(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get("/en/mentors/calendar/")

    token = CalendarToken.objects.get(user=user).token
    html = response.content.decode()
    assert (
        '<input id="personal-feed-url" class="form-control" type="text" '
        f'value="http://testserver/en/mentors/calendar/{token}.ics" readonly>'
    ) in html
    assert (
        f'<a class="btn btn-primary" href="webcal://testserver/en/mentors/calendar/{token}.ics">'
        "Open in your calendar application</a>"
    ) in html
    assert '<button type="submit" class="btn btn-secondary">Reset the address</button>' in html
    # The same address on every visit until it is reset.
    client.get("/en/mentors/calendar/")
    assert list(CalendarToken.objects.values_list("token", flat=True)) == [token]


def test_my_calendar_reset_replaces_the_address(client):
    user = UserFactory()
    RegistrationFactory(user=user, session=SessionFactory(title="Κοινωνικά αγροκτήματα"))
    old = CalendarToken.objects.create(user=user).token
    assert client.get(f"/mentors/calendar/{old}.ics").status_code == 200
    client.force_login(user)

    response = client.post("/en/mentors/calendar/")

    assert response.status_code == 302
    assert response["Location"] == "/en/mentors/calendar/"
    new = CalendarToken.objects.get(user=user).token
    assert new != old
    assert client.get(f"/mentors/calendar/{old}.ics").status_code == 404
    _calendar, events = events_of(client.get(f"/mentors/calendar/{new}.ics"))
    assert summaries(events) == ["Κοινωνικά αγροκτήματα"]
    page = client.get(response["Location"]).content.decode()
    assert "Your calendar has a new address. The old one no longer works: subscribe again." in (
        page
    )
    assert new in page


def test_session_ics_is_a_one_event_calendar(settings):
    settings.SITE_URL = "https://coopsociety.gr"
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=athens(2021, 3, 26, 18, 0),
        room_kind="link",
        room_url=ROOM_URL,
    )

    content = session_ics(session)

    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["SUMMARY"]) == "Κοινωνικά αγροκτήματα"
    assert event["DTSTART"].dt == datetime.datetime(2021, 3, 26, 18, 0, tzinfo=ATHENS)
    assert event["DTEND"].dt == datetime.datetime(2021, 3, 26, 20, 0, tzinfo=ATHENS)
    assert str(event["UID"]) == f"mentors-session-{session.pk}@coopsociety.gr"
    assert str(event["URL"]) == f"https://coopsociety.gr/mentors/sessions/{session.pk}/"
    assert str(event["LOCATION"]) == "Διαδικτυακά"
    assert b"never-in-a-calendar" not in content
    assert len(calendar.walk("VTIMEZONE")) == 1
