"""Registration for the programme's sessions: places, the waitlist, e-mails, reminders.

Every change to a session's registrations first locks the session's row
(``select_for_update``) inside ``transaction.atomic``; counting the confirmed places and
writing the new row happen under that lock, so N simultaneous registrations for the
last place give exactly one confirmed place on PostgreSQL (SQLite serialises writers).

Waitlist order is ``created_at`` (then ``pk``): re-registering after a cancellation
puts a person at the end of the line. When a confirmed place is freed, the earliest
waitlisted person is promoted at once and e-mailed.

E-mails are rendered in the site's default language (``settings.LANGUAGE_CODE``, Greek;
the English texts are the msgids) and never contain the room link: they point to the
session page, where the link appears 15 minutes before the start. Confirmation,
waitlist, promotion and cancellation e-mails are sent by Celery tasks after the commit;
reminders are sent by ``send_due_reminders`` (cron command or Celery beat).

Reminders (``settings.MENTORS_REMINDERS``, hours before the start, default ``[48, 1]``):
the larger lead time is stored in ``reminded_48h_at``, the smaller (the last reminder)
in ``reminded_1h_at``, whatever their values. Each reminder is due while the session
starts within its lead time and not yet within the next, smaller one; so a person
registered 30 minutes before the start gets only the last reminder, never a late
"48 hours" one. An earlier reminder is also skipped when the place was confirmed
(registration or promotion) after its lead time had begun: the confirmation e-mail
just sent says everything it would say. The last reminder goes to every confirmed
participant. A reminder is claimed by ``UPDATE … WHERE reminded_…_at IS NULL`` in the
transaction that sends it, so two concurrent runs never send it twice, and a failed
sending leaves it to the next run.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mentors import access
from mentors.models import Registration, Session

logger = logging.getLogger(__name__)

Status = Registration.Status
EMAIL_TEMPLATES = "mentors/registrations/emails/"
# Which field records which reminder: the earlier one, then the last one.
REMINDER_FIELDS = ("reminded_48h_at", "reminded_1h_at")


class RegistrationError(Exception):
    """A rule of registration refused the action; the message is for the user."""


# Reads --------------------------------------------------------------------------------


def with_waitlist_position(registrations):
    """Annotate ``waitlist_position`` (1 = next to be promoted) in one query; it is
    meaningful for waitlisted registrations only."""
    ahead = (
        Registration.objects.filter(session=OuterRef("session"), status=Status.WAITLISTED)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return registrations.annotate(
        waitlist_position=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1
    )


def seat_counts(session):
    """``{"confirmed": n, "waitlisted": m}`` for ``session``, in one query."""
    return Registration.objects.filter(session=session).aggregate(
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
    )


def seats_left(session, *, confirmed=None):
    """Free places of ``session``; None when it has no limit. ``confirmed`` (the number
    of confirmed registrations, when already counted) saves a query."""
    if session.capacity is None:
        return None
    if confirmed is None:
        confirmed = Registration.objects.filter(session=session, status=Status.CONFIRMED).count()
    return max(session.capacity - confirmed, 0)


def registration_of(*, session, user):
    """The user's registration for ``session`` (any status, with its waitlist position),
    or None; anonymous users have none."""
    if user is None or not user.is_authenticated:
        return None
    return with_waitlist_position(Registration.objects.filter(session=session, user=user)).first()


def registration_panel(*, session, user, now=None):
    """What the session page's registration box shows, in at most three queries
    (one for an anonymous visitor)."""
    now = now or timezone.now()
    counts = seat_counts(session)
    registration = registration_of(session=session, user=user)
    if registration is not None and registration.status == Status.CANCELLED:
        registration = None
    return {
        "session": session,
        "is_over": session.ends_at < now,
        "capacity": session.capacity,
        "confirmed": counts["confirmed"],
        "waitlisted": counts["waitlisted"],
        "seats_left": seats_left(session, confirmed=counts["confirmed"]),
        "registration": registration,
        "can_see_attendees": can_see_attendees(user, session),
    }


def attendees(session):
    """Active registrations of ``session``: confirmed first, then the waitlist, each in
    order of registration; with the users and their organisations, in two queries."""
    return (
        Registration.objects.active()
        .filter(session=session)
        .select_related("user")
        .prefetch_related("user__partners")
        .annotate(status_order=Case(When(status=Status.CONFIRMED, then=Value(0)), default=Value(1)))
        .order_by("status_order", "created_at", "pk")
    )


def registrations_of_user(user):
    """A user's registrations with their sessions (and waitlist positions), soonest
    session first."""
    return with_waitlist_position(
        Registration.objects.filter(user=user).select_related(
            "session", "session__theme", "session__seminar"
        )
    ).order_by("session__starts_at", "session__pk")


def can_see_attendees(user, session):
    """The attendee list of a session is for platform staff and the session's mentors."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or access.is_session_mentor(user, session)


# Changes ------------------------------------------------------------------------------


def _lock_session(session):
    return Session.objects.select_for_update().get(pk=session.pk)


def _confirmed_count(session):
    return Registration.objects.filter(session=session, status=Status.CONFIRMED).count()


def _promote_waitlisted(session, now):
    """Fill the free places of the (locked) ``session`` from its waitlist, earliest
    first; returns the promoted registrations."""
    free = seats_left(session)
    waiting = Registration.objects.filter(session=session, status=Status.WAITLISTED).order_by(
        "created_at", "pk"
    )
    if free is not None:
        if free == 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _email_after_commit(registration, "promoted")
    return promoted


def _register_locked(session, user, now, *, notify):
    if not session.is_published:
        raise RegistrationError(_("This session is not open for registration."))
    if session.ends_at < now:
        raise RegistrationError(_("This session is over: registration is closed."))
    registration = Registration.objects.filter(session=session, user=user).first()
    if registration is not None and registration.status == Status.CONFIRMED:
        raise RegistrationError(_("You are already registered for this session."))
    if registration is not None and registration.status == Status.WAITLISTED:
        raise RegistrationError(_("You are already on the waitlist of this session."))
    # A place freed while nobody was promoted (e.g. the capacity was raised) goes to
    # the waitlist first.
    _promote_waitlisted(session, now)
    left = seats_left(session)
    status = Status.CONFIRMED if left is None or left > 0 else Status.WAITLISTED
    if registration is None:
        registration = Registration.objects.create(
            session=session, user=user, status=status, created_at=now
        )
    else:
        registration.status = status
        registration.created_at = now
        registration.promoted_at = None
        registration.cancelled_at = None
        registration.reminded_48h_at = None
        registration.reminded_1h_at = None
        registration.save()
    registration.session = session
    if notify:
        _email_after_commit(registration, status)
    return registration


def register(*, session, user):
    """Register ``user`` for ``session``: confirmed while places are free (or there is
    no limit), otherwise on the waitlist. Raises RegistrationError for a session that is
    over or unpublished, or when the user is already registered."""
    with transaction.atomic():
        locked = _lock_session(session)
        # The time is taken under the lock, so that the waitlist order (created_at) is
        # the order in which the registrations got the lock.
        return _register_locked(locked, user, timezone.now(), notify=True)


def register_for_seminar(*, seminar, user):
    """Register ``user`` for every upcoming published session of ``seminar`` (sessions
    they are already registered for are skipped); returns the new registrations, in
    the order of the sessions, and sends one e-mail listing them."""
    with transaction.atomic():
        sessions = list(
            Session.objects.published()
            .upcoming()
            .filter(seminar=seminar)
            .select_for_update()
            .order_by("starts_at", "pk")
        )
        if not sessions:
            raise RegistrationError(_("This seminar has no upcoming sessions."))
        now = timezone.now()
        taken = set(
            Registration.objects.active()
            .filter(user=user, session__in=sessions)
            .values_list("session_id", flat=True)
        )
        registrations = [
            _register_locked(session, user, now, notify=False)
            for session in sessions
            if session.pk not in taken
        ]
        if registrations:
            from mentors import tasks

            ids = [registration.pk for registration in registrations]
            transaction.on_commit(
                lambda: tasks.send_seminar_registration_email.delay(seminar.pk, user.pk, ids)
            )
    return registrations


def cancel(*, registration, by):
    """Cancel ``registration`` (by its user or by staff). A freed confirmed place goes
    to the earliest waitlisted person, who is e-mailed."""
    if by is None or not by.is_authenticated or (by.pk != registration.user_id and not by.is_staff):
        raise PermissionDenied
    with transaction.atomic():
        session = _lock_session(registration.session)
        now = timezone.now()
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Status.CANCELLED:
            raise RegistrationError(_("This registration is already cancelled."))
        if session.ends_at < now:
            raise RegistrationError(_("This session is over: its registrations are kept."))
        was_confirmed = current.status == Status.CONFIRMED
        current.status = Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        if was_confirmed:
            _promote_waitlisted(session, now)
        _email_after_commit(current, "cancelled")
    registration.status = current.status
    registration.cancelled_at = current.cancelled_at
    return registration


# E-mails ------------------------------------------------------------------------------

# Which status a registration must still have when its e-mail is sent.
EMAIL_KINDS = {
    "confirmed": Status.CONFIRMED,
    "waitlisted": Status.WAITLISTED,
    "promoted": Status.CONFIRMED,
    "cancelled": Status.CANCELLED,
}
WITH_CALENDAR_FILE = {"confirmed", "promoted"}


def _email_after_commit(registration, kind):
    from mentors import tasks

    registration_id = registration.pk
    transaction.on_commit(lambda: tasks.send_registration_email.delay(registration_id, kind))


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _session_context(session):
    return {
        "session": session,
        "session_url": _absolute(session.get_absolute_url()),
        "mentor_names": [mentor.name for mentor in session.mentors.select_related("user")],
        "account_url": _absolute(reverse("mentors:my-registrations")),
    }


def _render(name, context):
    subject = render_to_string(f"{EMAIL_TEMPLATES}{name}_subject.txt", context)
    body = render_to_string(f"{EMAIL_TEMPLATES}{name}_body.txt", context)
    return " ".join(subject.split()), body


def _attach_calendar(message, session):
    from mentors.calendars import session_ics

    message.attach(f"session-{session.pk}.ics", session_ics(session), "text/calendar")


def _can_receive(user):
    return bool(user.is_active and user.email)


def send_registration_email(*, registration, kind):
    """Send the ``kind`` e-mail ("confirmed", "waitlisted", "promoted", "cancelled")
    about ``registration``; returns 1 if sent, 0 when the registration changed since
    (e.g. cancelled before the confirmation left) or its user has no e-mail."""
    if registration.status != EMAIL_KINDS[kind] or not _can_receive(registration.user):
        return 0
    session = registration.session
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {
            **_session_context(session),
            "registration": registration,
            "user_name": registration.user.get_full_name(),
        }
        if kind == "waitlisted":
            context["position"] = (
                with_waitlist_position(Registration.objects.filter(pk=registration.pk))
                .get()
                .waitlist_position
            )
        subject, body = _render(kind, context)
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [registration.user.email]
        )
        if kind in WITH_CALENDAR_FILE:
            _attach_calendar(message, session)
    return message.send()


def send_seminar_registration_email(*, seminar, user, registrations):
    """One e-mail listing a seminar registration's places and waitlist positions, with
    a calendar file per confirmed session."""
    registrations = [
        registration
        for registration in registrations
        if registration.status in (Status.CONFIRMED, Status.WAITLISTED)
    ]
    if not registrations or not _can_receive(user):
        return 0
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        items = [
            {"registration": registration, **_session_context(registration.session)}
            for registration in registrations
        ]
        context = {
            "seminar": seminar,
            "seminar_url": _absolute(seminar.get_absolute_url()),
            "account_url": _absolute(reverse("mentors:my-registrations")),
            "items": items,
            "user_name": user.get_full_name(),
        }
        subject, body = _render("seminar", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        for registration in registrations:
            if registration.status == Status.CONFIRMED:
                _attach_calendar(message, registration.session)
    return message.send()


def send_registration_email_by_id(registration_id, kind):
    """Entry point of the Celery task."""
    registration = (
        Registration.objects.select_related("session", "session__theme", "session__seminar", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return 0
    return send_registration_email(registration=registration, kind=kind)


def send_seminar_registration_email_by_ids(seminar_id, user_id, registration_ids):
    """Entry point of the Celery task."""
    registrations = list(
        with_waitlist_position(
            Registration.objects.filter(pk__in=registration_ids, user_id=user_id)
        )
        .select_related("session", "session__theme", "session__seminar", "user")
        .order_by("session__starts_at", "session__pk")
    )
    if not registrations:
        return 0
    seminar = registrations[0].session.seminar
    if seminar is None or seminar.pk != seminar_id:
        return 0
    return send_seminar_registration_email(
        seminar=seminar, user=registrations[0].user, registrations=registrations
    )


# Reminders ----------------------------------------------------------------------------


def reminder_schedule():
    """``[(hours, field), …]`` from ``settings.MENTORS_REMINDERS``, earliest first."""
    hours = sorted({int(value) for value in settings.MENTORS_REMINDERS}, reverse=True)
    if len(hours) > len(REMINDER_FIELDS):
        raise ImproperlyConfigured("MENTORS_REMINDERS holds at most two lead times (hours).")
    if any(value <= 0 for value in hours):
        raise ImproperlyConfigured("MENTORS_REMINDERS holds positive numbers of hours.")
    return list(zip(hours, REMINDER_FIELDS[len(REMINDER_FIELDS) - len(hours) :], strict=True))


def _due_reminder_ids(*, hours, field, next_hours, is_last, now):
    """Ids of the confirmed registrations whose ``field`` reminder is due at ``now``."""
    lead = datetime.timedelta(hours=hours)
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        session__is_published=True,
        session__starts_at__gt=now + datetime.timedelta(hours=next_hours),
        session__starts_at__lte=now + lead,
        **{f"{field}__isnull": True},
    )
    ids = []
    for pk, created_at, promoted_at, starts_at in due.values_list(
        "pk", "created_at", "promoted_at", "session__starts_at"
    ).order_by("session__starts_at", "pk"):
        confirmed_at = promoted_at or created_at
        if is_last or confirmed_at <= starts_at - lead:
            ids.append(pk)
    return ids


def send_reminder(*, registration, hours):
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {
            **_session_context(registration.session),
            "registration": registration,
            "user_name": registration.user.get_full_name(),
            "hours": hours,
        }
        subject, body = _render("reminder", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [registration.user.email])
    return message.send()


def send_due_reminders(now=None):
    """Send the reminders that are due at ``now`` (default: now), each once; returns
    how many e-mails were sent."""
    now = now or timezone.now()
    schedule = reminder_schedule()
    sent = 0
    for index, (hours, field) in enumerate(schedule):
        is_last = index == len(schedule) - 1
        next_hours = 0 if is_last else schedule[index + 1][0]
        ids = _due_reminder_ids(
            hours=hours, field=field, next_hours=next_hours, is_last=is_last, now=now
        )
        for registration_id in ids:
            try:
                with transaction.atomic():
                    claimed = Registration.objects.filter(
                        pk=registration_id, status=Status.CONFIRMED, **{f"{field}__isnull": True}
                    ).update(**{field: now})
                    if not claimed:
                        continue  # another run sent it, or the person cancelled meanwhile
                    registration = Registration.objects.select_related(
                        "session", "session__theme", "session__seminar", "user"
                    ).get(pk=registration_id)
                    if _can_receive(registration.user):
                        sent += send_reminder(registration=registration, hours=hours)
            except Exception:
                logger.exception(
                    "The %sh reminder of registration %s failed", hours, registration_id
                )
    return sent
