"""Card payment of a purchase's card parts, and Stripe's webhook.

The pay page shows what is paid by card and Stripe.js's Payment Element: the card is
typed into Stripe's own frame and goes from the browser to Stripe, never to our server.
After the payment Stripe sends the consumer back to ``CardReturnView``, which asks Stripe
how the payment stands; the webhook brings the same news from Stripe directly. Either one
records the payment (see shop.order.stripe_payments, which is idempotent).
"""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.order import stripe_payments
from shop.order.models import Purchase

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = gettext_lazy(
    "Card payment is not available right now. Please try again in a few minutes, "
    "or contact the organisation about another way to pay."
)


def _purchase(token):
    return get_object_or_404(Purchase, token=token)


class PayView(View):
    template_name = "shop/checkout/pay.html"

    def get(self, request, token):
        purchase = _purchase(token)
        if not stripe_payments.is_enabled():
            messages.info(request, _("Card payment is not available on this site."))
            return redirect(purchase)
        if not stripe_payments.card_parts_to_pay(purchase):
            messages.info(request, _("There is nothing left to pay by card for this purchase."))
            return redirect(purchase)
        try:
            intent = stripe_payments.start_card_payment(purchase)
        except stripe_payments.CardPaymentUnavailable as error:
            messages.info(request, str(error))
            return redirect(purchase)
        except stripe.StripeError:
            logger.exception("Stripe could not start the payment of purchase %s.", purchase.number)
            messages.error(request, UNAVAILABLE_MESSAGE)
            return redirect(purchase)
        parts = stripe_payments.card_parts_to_pay(purchase)
        context = {
            "purchase": purchase,
            "parts": parts,
            "amount": sum((order.total_incl_tax for order in parts), 0),
            "currency": settings.OSCAR_DEFAULT_CURRENCY,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "client_secret": intent.client_secret,
            "return_url": request.build_absolute_uri(
                reverse("checkout:card-return", kwargs={"token": purchase.token})
            ),
            "stripe_locale": (get_language() or settings.LANGUAGE_CODE).split("-")[0],
        }
        return render(request, self.template_name, context)


class CardReturnView(View):
    """Where Stripe sends the consumer after the payment (Stripe's ``return_url``)."""

    def get(self, request, token):
        purchase = _purchase(token)
        if not stripe_payments.is_enabled() or not purchase.stripe_payment_intent_id:
            return redirect(purchase)
        try:
            status = stripe_payments.sync_card_payment(purchase)
        except stripe.StripeError:
            logger.exception("Stripe could not be asked about purchase %s.", purchase.number)
            messages.warning(
                request,
                _(
                    "We could not check your card payment just now. This page will show "
                    "it as paid as soon as Stripe confirms it."
                ),
            )
            return redirect(purchase)
        if status == "succeeded":
            messages.success(request, _("Thank you: your card payment was received."))
        elif status == "processing":
            messages.info(
                request,
                _(
                    "Your card payment is being processed. This page will show it as "
                    "paid as soon as your bank confirms it."
                ),
            )
        else:
            messages.error(
                request,
                _(
                    "Your card payment did not go through. You have not been charged; "
                    "you can try again."
                ),
            )
        return redirect(purchase)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events: 400 when the signature or payload is not valid (nothing changes),
    200 when the event is processed, already processed, or of a type we ignore."""
    try:
        stripe_payments.process_webhook(request.body, request.headers.get("Stripe-Signature"))
    except stripe_payments.InvalidWebhook as error:
        logger.warning("Refused a Stripe webhook: %s", error)
        return HttpResponseBadRequest("Invalid webhook.")
    return HttpResponse("OK")
