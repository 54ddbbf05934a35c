"""Background jobs of the MENTORS programme; each loads its objects by id and calls one
service. With no Redis they run inline (eager), after the database commit."""

from celery import shared_task

from mentors.services import registrations


@shared_task
def send_registration_email(registration_id, kind):
    """Confirmation, waitlist, promotion or cancellation e-mail of one registration."""
    return registrations.send_registration_email_by_id(registration_id, kind)


@shared_task
def send_seminar_registration_email(seminar_id, user_id, registration_ids):
    """The one e-mail that lists a person's new registrations for a seminar."""
    return registrations.send_seminar_registration_email_by_ids(
        seminar_id, user_id, registration_ids
    )


@shared_task
def send_session_reminders():
    """The 48-hour and 1-hour reminders that are due (Celery beat, every 10 minutes)."""
    return registrations.send_due_reminders()
