"""Cancel unpaid orders whose payment deadline has passed; for cron without Celery beat,
e.g. every 10 minutes:

    */10 * * * * cd /srv/coopsociety && .venv/bin/python manage.py release_expired_orders

Bank-transfer and card orders that are still unpaid after their deadline are cancelled,
their reserved stock goes back on sale and the consumer is e-mailed. An order paid
meanwhile is left alone, however often (or concurrently) the command runs.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop.order.services import release_expired_orders


class Command(BaseCommand):
    help = "Cancel unpaid bank-transfer and card orders past their payment deadline."

    def handle(self, *args, **options):
        cancelled = release_expired_orders()
        if cancelled:
            message = ngettext(
                "Cancelled %(count)d unpaid order past its payment deadline.",
                "Cancelled %(count)d unpaid orders past their payment deadline.",
                cancelled,
            ) % {"count": cancelled}
        else:
            message = _("No unpaid order is past its payment deadline.")
        self.stdout.write(message)
