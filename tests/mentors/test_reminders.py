"""Reminder e-mails before the sessions (``send_due_reminders``, the
``send_session_reminders`` command and Celery task): each reminder once, at the right
time, to confirmed participants only.

Decided rules (see mentors/services/registrations.py): the 48-hour reminder is due
while the session starts in more than 1 hour and at most 48 hours, the 1-hour reminder
while it starts within the hour. A place confirmed less than 48 hours before the start
gets no 48-hour reminder (its confirmation e-mail is as recent); every confirmed place
gets the 1-hour reminder, even one registered 30 minutes before the start.
"""

import datetime
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import clear_url_caches
from django.utils import timezone

from mentors import tasks
from mentors.models import Registration
from mentors.services.registrations import reminder_schedule, send_due_reminders
from tests.factories import UserFactory
from tests.factories.mentors import RegistrationFactory, SessionFactory, athens

pytestmark = pytest.mark.django_db

START = athens(2030, 3, 26, 18)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def registration(*, registered_before_start, start=START, **kwargs):
    return RegistrationFactory(
        session=kwargs.pop("session", None) or SessionFactory(starts_at=start),
        created_at=start - registered_before_start,
        **kwargs,
    )


def reminded(row):
    row.refresh_from_db()
    return row.reminded_48h_at, row.reminded_1h_at


def test_send_due_reminders_twice_sends_each_reminder_once():
    row = registration(registered_before_start=5 * 24 * HOUR)
    first_run = START - 47 * HOUR

    assert send_due_reminders(now=first_run) == 1
    assert send_due_reminders(now=first_run) == 0
    assert send_due_reminders(now=first_run + 10 * MINUTE) == 0
    assert reminded(row) == (first_run, None)
    assert len(mail.outbox) == 1

    last_run = START - 50 * MINUTE
    assert send_due_reminders(now=last_run) == 1
    assert send_due_reminders(now=last_run) == 0
    assert send_due_reminders(now=last_run + 10 * MINUTE) == 0
    assert reminded(row) == (first_run, last_run)
    assert [message.to for message in mail.outbox] == [[row.user.email], [row.user.email]]


def test_send_due_reminders_before_the_48_hour_window_sends_nothing():
    row = registration(registered_before_start=5 * 24 * HOUR)

    assert send_due_reminders(now=START - 48 * HOUR - MINUTE) == 0
    assert reminded(row) == (None, None)
    assert mail.outbox == []


def test_registration_30_minutes_before_the_start_gets_only_the_1_hour_reminder():
    row = registration(registered_before_start=30 * MINUTE)

    assert send_due_reminders(now=START - 29 * MINUTE) == 1
    assert send_due_reminders(now=START - 19 * MINUTE) == 0
    assert reminded(row) == (None, START - 29 * MINUTE)
    assert len(mail.outbox) == 1


def test_registration_within_48_hours_skips_the_48_hour_reminder():
    row = registration(registered_before_start=47 * HOUR)

    assert send_due_reminders(now=START - 46 * HOUR) == 0
    assert send_due_reminders(now=START - 2 * HOUR) == 0
    assert send_due_reminders(now=START - 55 * MINUTE) == 1
    assert reminded(row) == (None, START - 55 * MINUTE)


def test_promotion_within_48_hours_skips_the_48_hour_reminder():
    row = registration(registered_before_start=10 * 24 * HOUR, promoted_at=START - 20 * HOUR)

    assert send_due_reminders(now=START - 19 * HOUR) == 0
    assert reminded(row) == (None, None)


def test_late_run_still_sends_the_48_hour_reminder_before_the_last_hour():
    """Cron was down for a day: the 48-hour reminder goes late, not never."""
    row = registration(registered_before_start=5 * 24 * HOUR)

    assert send_due_reminders(now=START - 3 * HOUR) == 1
    assert reminded(row) == (START - 3 * HOUR, None)


def test_reminders_go_to_confirmed_places_of_published_sessions_only():
    confirmed = registration(registered_before_start=5 * 24 * HOUR)
    session = confirmed.session
    registration(
        registered_before_start=4 * 24 * HOUR,
        session=session,
        status=Registration.Status.WAITLISTED,
    )
    registration(
        registered_before_start=4 * 24 * HOUR,
        session=session,
        status=Registration.Status.CANCELLED,
    )
    registration(
        registered_before_start=4 * 24 * HOUR,
        session=SessionFactory(starts_at=START, is_published=False),
    )
    registration(
        registered_before_start=4 * 24 * HOUR,
        user=UserFactory(email=""),
        session=session,
    )

    assert send_due_reminders(now=START - 30 * HOUR) == 1
    assert [message.to for message in mail.outbox] == [[confirmed.user.email]]
    # The address-less one is marked too: there is nothing to send it, ever.
    assert set(Registration.objects.exclude(reminded_48h_at=None).values_list("pk", flat=True)) == {
        confirmed.pk,
        Registration.objects.get(user__email="").pk,
    }


def test_reminder_after_the_start_is_not_sent():
    row = registration(registered_before_start=5 * 24 * HOUR)

    assert send_due_reminders(now=START + MINUTE) == 0
    assert reminded(row) == (None, None)


def test_reminder_email_is_exact_and_has_no_room_link():
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=START,
        room_kind="link",
        room_url="https://zoom.example.org/j/42",
    )
    row = registration(
        registered_before_start=5 * 24 * HOUR,
        session=session,
        user=UserFactory(email="maria@example.org"),
    )

    with override_settings(LANGUAGE_CODE="en", SITE_URL="http://testserver.example"):
        clear_url_caches()
        send_due_reminders(now=START - 40 * MINUTE)
    clear_url_caches()

    [message] = mail.outbox
    assert message.to == ["maria@example.org"]
    assert message.subject == "Reminder: Κοινωνικά αγροκτήματα, Tuesday 26 March, 18:00"
    assert message.body == (
        "Hello,\n"
        "\n"
        "A reminder: the MENTORS session you are registered for starts on "
        "Tuesday 26 March 2030, 18:00 (Greece time).\n"
        "\n"
        "Κοινωνικά αγροκτήματα\n"
        "Date and time: Tuesday 26 March 2030, 18:00–20:00 (Greece time)\n"
        "Theme: The agri-food sector\n"
        f"Session page: http://testserver.example/mentors/sessions/{session.pk}/\n"
        "\n"
        "The link to the teleconference room is not sent by e-mail: it appears on the "
        "session page at 17:45, 15 minutes before the start, when you are signed in.\n"
        "\n"
        "If you can no longer attend, please cancel your registration, so that someone on "
        "the waitlist gets your place.\n"
        "\n"
        "Your registrations, and cancelling them:\n"
        "http://testserver.example/mentors/registrations/\n"
        "\n"
        "MENTORS programme of the Cooperative Society\n"
    )
    assert message.attachments == []
    assert reminded(row) == (None, START - 40 * MINUTE)


def test_reminder_hours_come_from_the_settings(settings):
    settings.MENTORS_REMINDERS = [24]
    row = registration(registered_before_start=3 * 24 * HOUR)

    assert reminder_schedule() == [(24, "reminded_1h_at")]
    assert send_due_reminders(now=START - 30 * HOUR) == 0
    assert send_due_reminders(now=START - 23 * HOUR) == 1
    assert send_due_reminders(now=START - 30 * MINUTE) == 0
    assert reminded(row) == (None, START - 23 * HOUR)


def test_reminder_schedule_orders_two_lead_times(settings):
    settings.MENTORS_REMINDERS = [2, 72]

    assert reminder_schedule() == [(72, "reminded_48h_at"), (2, "reminded_1h_at")]


def test_reminder_settings_default_and_beat_schedule():
    assert settings.MENTORS_REMINDERS == [48, 1]
    assert settings.CELERY_BEAT_SCHEDULE["mentors-session-reminders"] == {
        "task": "mentors.tasks.send_session_reminders",
        "schedule": 600.0,
    }


def test_send_session_reminders_command_prints_how_many_it_sent():
    start = (timezone.now() + 30 * MINUTE).replace(microsecond=0)
    registration(registered_before_start=3 * 24 * HOUR, start=start)
    out = io.StringIO()

    call_command("send_session_reminders", stdout=out)
    call_command("send_session_reminders", stdout=out)

    assert out.getvalue() == "Sent 1 session reminder(s).\nSent 0 session reminder(s).\n"
    assert len(mail.outbox) == 1


def test_send_session_reminders_task_sends_the_due_reminders():
    start = (timezone.now() + 30 * HOUR).replace(microsecond=0)
    row = registration(registered_before_start=3 * 24 * HOUR, start=start)

    assert tasks.send_session_reminders.delay().get() == 1
    assert tasks.send_session_reminders.delay().get() == 0
    assert reminded(row)[0] is not None
