"""Reusable reads of the MENTORS programme. Each selector fetches what its page shows
with a fixed number of queries, however many rows there are."""

import itertools

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from mentors.models import (
    CoOrganiser,
    MentorProfile,
    Moderation,
    Question,
    Registration,
    Seminar,
    Session,
    Theme,
)
from mentors.themes import THEMES


def programme_themes():
    """The programme's themes in the founders' order, numbered from 1."""
    return [
        {"number": number, "slug": slug, "title": title, "subtopics": subtopics}
        for number, (slug, title, subtopics) in enumerate(THEMES, start=1)
    ]


# Sessions -------------------------------------------------------------------------------


def _mentors_queryset():
    return MentorProfile.objects.select_related("user").order_by(
        "user__last_name", "user__first_name", "pk"
    )


def _mentors_prefetch(lookup="mentors"):
    return Prefetch(lookup, queryset=_mentors_queryset())


def with_places(queryset):
    """Annotate ``confirmed_count`` (confirmed registrations) and ``places_left``
    (None without a capacity, never below 0) in the same query as the sessions."""
    confirmed = (
        Registration.objects.filter(session=OuterRef("pk"), status=Registration.Status.CONFIRMED)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        confirmed_count=Coalesce(Subquery(confirmed, output_field=IntegerField()), 0)
    ).annotate(
        places_left=Case(
            When(capacity__isnull=True, then=None),
            default=Greatest(F("capacity") - F("confirmed_count"), 0),
            output_field=IntegerField(),
        )
    )


def listed_sessions(queryset=None):
    """Sessions with everything a list shows: theme, seminar, co-organiser, mentors with
    their users, and the counts of ``with_places``."""
    queryset = Session.objects.all() if queryset is None else queryset
    return with_places(
        queryset.select_related("theme", "seminar", "co_organiser").prefetch_related(
            _mentors_prefetch()
        )
    )


def session_list(*, when="upcoming", theme=None, seminar=None, region=None, mentor=None, now=None):
    """Published sessions, upcoming (soonest first) or ``when="past"`` (newest first),
    filtered by theme slug, seminar slug, co-organiser's region and mentor slug."""
    queryset = Session.objects.published()
    if theme:
        queryset = queryset.filter(theme__slug=theme)
    if seminar:
        queryset = queryset.filter(seminar__slug=seminar)
    if region:
        queryset = queryset.filter(co_organiser__region=region)
    if mentor:
        queryset = queryset.filter(mentors__slug=mentor)
    queryset = queryset.past(now) if when == "past" else queryset.upcoming(now)
    return listed_sessions(queryset)


def upcoming_sessions(*, limit=None, theme=None, now=None):
    """The next published sessions (not over yet), soonest first."""
    queryset = Session.objects.published().upcoming(now)
    if theme is not None:
        queryset = queryset.filter(theme=theme)
    queryset = listed_sessions(queryset)
    return list(queryset[:limit]) if limit else list(queryset)


def next_sessions_brief(*, limit=3, now=None):
    """The next published sessions with their theme only (for the home page)."""
    return list(Session.objects.published().upcoming(now).select_related("theme")[:limit])


def session_detail(pk):
    """One session (published or not: the gatekeeper decides) with its relations."""
    return listed_sessions(Session.objects.filter(pk=pk)).first()


def session_filter_choices():
    """What the session filters offer: themes, seminars, regions, mentors; only those
    that have published sessions, except the themes (always all ten)."""
    published = Session.objects.published()
    seminars = Seminar.objects.filter(sessions__in=published).distinct().order_by("-starts_on")
    regions = (
        CoOrganiser.objects.filter(sessions__in=published)
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )
    mentors = (
        MentorProfile.objects.filter(sessions__in=published)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return {
        "themes": list(Theme.objects.all()),
        "seminars": list(seminars),
        "regions": list(regions),
        "mentors": list(mentors),
    }


def user_registration(user, session):
    """The user's active (confirmed or waitlisted) registration for ``session``, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Registration.objects.active().filter(session=session, user=user).first()


# Themes, mentors, seminars -------------------------------------------------------------


def theme_faq(theme):
    """Visible questions tagged with ``theme`` that have a visible accepted answer,
    newest first: one query, each question with its ``accepted_answer``."""
    return list(
        Question.objects.filter(
            moderation=Moderation.VISIBLE,
            themes=theme,
            accepted_answer__moderation=Moderation.VISIBLE,
        )
        .select_related("accepted_answer")
        .order_by("-created_at", "-pk")
    )


def session_answers(session):
    """Visible questions of ``session`` with a visible accepted answer: what the session
    settled, shown on its page afterwards. One query."""
    return list(
        Question.objects.filter(
            moderation=Moderation.VISIBLE,
            session=session,
            accepted_answer__moderation=Moderation.VISIBLE,
        )
        .select_related("accepted_answer")
        .order_by("-score", "created_at", "pk")
    )


def theme_page(theme, *, now=None):
    """Everything the theme page shows."""
    sessions = Session.objects.published().filter(theme=theme)
    return {
        "upcoming": list(listed_sessions(sessions.upcoming(now))),
        "past": list(listed_sessions(sessions.past(now))),
        "mentors": list(
            theme.mentors.select_related("user").order_by(
                "user__last_name", "user__first_name", "pk"
            )
        ),
        "faq": theme_faq(theme),
    }


def mentor_list():
    """All mentors, by surname, with their user and expertise."""
    return MentorProfile.objects.select_related("user", "organisation").prefetch_related(
        "expertise"
    )


def mentor_page(mentor, *, now=None):
    sessions = Session.objects.published().filter(mentors=mentor)
    return {
        "upcoming": list(listed_sessions(sessions.upcoming(now))),
        "past": list(listed_sessions(sessions.past(now))),
    }


def seminar_list():
    """Seminars, latest first, with their co-organisers and number of published sessions."""
    return (
        Seminar.objects.prefetch_related("co_organisers")
        .annotate(session_count=Count("sessions", filter=Q(sessions__is_published=True)))
        .order_by("-starts_on", "-pk")
    )


def latest_seminars(limit=3):
    return list(seminar_list()[:limit])


def seminar_agenda(seminar):
    """The seminar's published sessions grouped by their local (Europe/Athens) date:
    ``[{"date": date, "sessions": [session, …]}, …]`` in time order."""
    sessions = listed_sessions(seminar.sessions.published()).order_by("starts_at", "pk")
    return [
        {"date": day, "sessions": list(group)}
        for day, group in itertools.groupby(
            sessions, key=lambda session: timezone.localtime(session.starts_at).date()
        )
    ]


# Questions ------------------------------------------------------------------------------


def latest_questions(limit=5):
    """The newest visible questions."""
    return list(
        Question.objects.filter(moderation=Moderation.VISIBLE).order_by("-created_at", "-pk")[
            :limit
        ]
    )


# Calendars -----------------------------------------------------------------------------


def calendar_sessions(*, theme=None):
    """Published sessions for an iCalendar feed, oldest first, with mentors and theme."""
    queryset = Session.objects.published()
    if theme is not None:
        queryset = queryset.filter(theme=theme)
    return list(
        queryset.select_related("theme", "co_organiser", "seminar")
        .prefetch_related(_mentors_prefetch())
        .order_by("starts_at", "pk")
    )


def calendar_registrations(user):
    """A user's confirmed and waitlisted registrations for published sessions."""
    return list(
        Registration.objects.filter(
            user=user,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
            session__is_published=True,
        )
        .select_related("session__theme", "session__co_organiser", "session__seminar")
        .prefetch_related(_mentors_prefetch("session__mentors"))
        .order_by("session__starts_at", "session__pk")
    )
