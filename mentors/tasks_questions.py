"""Background jobs of the question-and-answer space; each calls one service.

Kept apart from ``mentors.tasks`` (registrations and reminders). With no Redis the
jobs run inline.
"""

from celery import shared_task


@shared_task
def notify_new_answer(answer_id):
    """E-mail the asker and the question's followers about a new answer."""
    from mentors.services.questions import send_new_answer_emails_by_id

    return send_new_answer_emails_by_id(answer_id)
