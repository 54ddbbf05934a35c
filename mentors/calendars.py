"""iCalendar files of the programme's sessions (read by any calendar application).

- ``sessions_calendar(sessions, name=…, url_for=…)``: a feed of many sessions;
- ``personal_calendar(registrations, …)``: a user's registrations, waitlisted ones
  marked TENTATIVE;
- ``session_ics(session)``: one session as a one-event file, for the confirmation
  e-mail's attachment.

Times are written with ``TZID=Europe/Athens`` and the calendar carries the matching
VTIMEZONE, so a session at 18:00 in Athens stays at 18:00 in Athens. The location is
always "Online": the room link is never written into a calendar, which people share and
sync to third parties; it is on the session page, for those who may see it.
"""

import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar import Event as CalendarEvent

from mentors.models import CalendarToken, Registration
from thinktank.richtext import plain_text

PRODID = "-//Cooperative Society//coopsociety.gr MENTORS//EL"
UID_DOMAIN = "coopsociety.gr"


def _local(moment):
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def session_uid(session):
    """The stable UID of a session's event: the same in every feed and attachment."""
    return f"mentors-session-{session.pk}@{UID_DOMAIN}"


def session_description(session):
    """Plain text: theme, mentors, co-organiser, then the description."""
    lines = [_("Theme: %(theme)s") % {"theme": session.theme.title}]
    mentors = [mentor.name for mentor in session.mentors.all()]
    if mentors:
        lines.append(_("Mentors: %(names)s") % {"names": ", ".join(mentors)})
    if session.co_organiser:
        lines.append(_("Co-organised with: %(name)s") % {"name": session.co_organiser.name})
    lines.append(_("The room link appears on the session page 15 minutes before the start."))
    description = plain_text(session.description)
    if description:
        lines.extend(["", description])
    return "\n".join(lines)


def session_event(session, *, url, status="CONFIRMED"):
    """A VEVENT for ``session``; ``url`` is the absolute address of its page."""
    event = CalendarEvent()
    event.add("uid", session_uid(session))
    event.add("summary", session.title)
    event.add("dtstart", _local(session.starts_at))
    event.add("dtend", _local(session.ends_at))
    event.add("dtstamp", session.updated_at or timezone.now())
    event.add("description", session_description(session))
    event.add("location", _("Online"))
    event.add("url", url)
    event.add("status", status)
    event.add("categories", [str(session.theme.title)])
    return event


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", str(name))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def athens_vtimezone():
    """Europe/Athens by its rule (EU summer time: last Sunday of March at 03:00 to the
    last Sunday of October at 04:00), valid for every year since 1996, in a few lines."""
    timezone_component = Timezone()
    timezone_component.add("tzid", "Europe/Athens")
    winter, summer = datetime.timedelta(hours=2), datetime.timedelta(hours=3)
    for kind, name, start, offset_from, offset_to, month in (
        (TimezoneDaylight, "EEST", datetime.datetime(1996, 3, 31, 3), winter, summer, 3),
        (TimezoneStandard, "EET", datetime.datetime(1996, 10, 27, 4), summer, winter, 10),
    ):
        rule = kind()
        rule.add("tzname", name)
        rule.add("dtstart", start)
        rule.add("tzoffsetfrom", offset_from)
        rule.add("tzoffsetto", offset_to)
        rule.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        timezone_component.add_component(rule)
    return timezone_component


def _finish(calendar):
    """Add the VTIMEZONE that the events' TZID refers to, and serialise."""
    if settings.TIME_ZONE == "Europe/Athens":
        calendar.add_component(athens_vtimezone())
    else:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _default_url(session):
    return _absolute(session.get_absolute_url())


def sessions_calendar(sessions, *, name, url_for=_default_url):
    """An iCalendar file (bytes) of ``sessions``; ``url_for(session)`` gives each
    session's absolute address."""
    calendar = _calendar(name)
    for session in sessions:
        calendar.add_component(session_event(session, url=url_for(session)))
    return _finish(calendar)


def personal_calendar(registrations, *, name, url_for=_default_url):
    """A user's calendar: confirmed registrations as CONFIRMED events, waitlisted ones
    as TENTATIVE; cancelled ones are left out."""
    calendar = _calendar(name)
    statuses = {
        Registration.Status.CONFIRMED: "CONFIRMED",
        Registration.Status.WAITLISTED: "TENTATIVE",
    }
    for registration in registrations:
        status = statuses.get(registration.status)
        if status is None:
            continue
        session = registration.session
        calendar.add_component(session_event(session, url=url_for(session), status=status))
    return _finish(calendar)


def session_ics(session):
    """One session as a one-event iCalendar file (bytes), e.g. to attach to the
    registration confirmation e-mail as ``session.ics`` (``text/calendar``). The page
    address is built on ``settings.SITE_URL``; call it with the language that the
    e-mail is written in active."""
    calendar = _calendar(session.title)
    calendar.add("method", "PUBLISH")
    calendar.add_component(session_event(session, url=_default_url(session)))
    return _finish(calendar)


# The personal feed's secret address ---------------------------------------------------


def calendar_token_for(user):
    """The user's calendar token, made on first use."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def reset_calendar_token(*, user):
    """Give the user a new secret: the old personal feed address stops working."""
    token = calendar_token_for(user)
    token.token = secrets.token_urlsafe()
    token.save(update_fields=["token", "created_at"])
    return token
