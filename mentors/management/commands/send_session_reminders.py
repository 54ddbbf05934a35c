"""Send the session reminders that are due; for cron, e.g. every 10 minutes:

    */10 * * * * cd /srv/coopsociety && .venv/bin/python manage.py send_session_reminders

Each reminder is sent once, however often (or concurrently) the command runs.
"""

from django.core.management.base import BaseCommand

from mentors.services.registrations import send_due_reminders


class Command(BaseCommand):
    help = "E-mail the reminders (48 hours and 1 hour before, by default) that are due."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} session reminder(s).")
