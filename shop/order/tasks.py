"""Background jobs of the social market's orders; each loads its objects by id through
one function and holds no logic. With no Redis they run inline, after the commit.

E-mails are retried when the mail server cannot be reached (a minute later, then
longer); the expiry of unpaid orders runs every 10 minutes from Celery beat (see
CELERY_BEAT_SCHEDULE), or from cron with ``manage.py release_expired_orders``.
"""

from smtplib import SMTPException

from celery import shared_task

from shop.order import notifications, services

EMAIL_RETRY = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 60,
    "retry_kwargs": {"max_retries": 5},
}


@shared_task(**EMAIL_RETRY)
def send_purchase_confirmation(purchase_id):
    """The consumer's confirmation of a purchase, with every organisation's part."""
    return notifications.send_purchase_confirmation(purchase_id)


@shared_task(**EMAIL_RETRY)
def send_organisation_order_notice(order_id):
    """The notice to one organisation of its new order (its own lines only)."""
    return notifications.send_organisation_order_notice(order_id)


@shared_task(**EMAIL_RETRY)
def send_order_status_email(order_id, old_status, status=None):
    """The e-mail to the consumer about an order's new status."""
    return notifications.send_order_status_email(order_id, old_status, status)


@shared_task(**EMAIL_RETRY)
def send_late_refund_email(order_id):
    """The e-mail to a consumer whose card payment came after the order was cancelled."""
    return notifications.send_late_refund_email(order_id)


@shared_task
def release_expired_orders():
    """Cancel the unpaid orders past their payment deadline; their stock goes back."""
    return services.release_expired_orders()


@shared_task
def retry_pending_transfers():
    """Transfer to the organisations the card payments whose transfer failed earlier,
    and reverse the transfers of refunded cancelled orders whose reversal failed (the
    "market-retry-pending-transfers" entry of CELERY_BEAT_SCHEDULE runs both)."""
    from shop.order import stripe_payments

    return {
        "transfers": stripe_payments.retry_pending_transfers(),
        "reversals": stripe_payments.retry_pending_reversals(),
    }
