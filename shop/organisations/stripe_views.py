"""Stripe Connect onboarding of an organisation, so that it can be paid by card.

A member asks to set up card payments: the organisation gets its own Express connected
account (once) and the member is sent to Stripe's hosted onboarding, where Stripe asks
for the organisation's legal details and bank account; our site never sees them. Stripe
then sends the member back here, and we ask Stripe whether the account can now take
payments. Only the organisation's members may do either; anyone else gets a 404.
"""

import logging

import stripe
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from shop.access import organisations_of
from shop.order import stripe_payments

logger = logging.getLogger(__name__)


def _my_organisation(request, slug):
    return get_object_or_404(organisations_of(request.user), code=slug)


def _selling_page(organisation):
    return redirect("organisations:selling", slug=organisation.code)


class StripeConnectView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, slug):
        organisation = _my_organisation(request, slug)
        if not stripe_payments.is_enabled():
            messages.info(request, _("Card payment is not available on this site."))
            return _selling_page(organisation)
        back = request.build_absolute_uri(
            reverse("organisations:stripe-return", kwargs={"slug": organisation.code})
        )
        try:
            stripe_payments.create_connected_account(organisation)
            url = stripe_payments.account_link(organisation, refresh_url=back, return_url=back)
        except stripe.StripeError:
            logger.exception("Stripe onboarding of %s could not start.", organisation)
            messages.error(
                request,
                _("Stripe cannot be reached right now. Please try again in a few minutes."),
            )
            return _selling_page(organisation)
        return redirect(url)


class StripeConnectReturnView(LoginRequiredMixin, View):
    """Where Stripe's onboarding sends the member back (also when its link expired)."""

    http_method_names = ["get"]

    def get(self, request, slug):
        organisation = _my_organisation(request, slug)
        if not stripe_payments.is_enabled() or not organisation.stripe_account_id:
            return _selling_page(organisation)
        try:
            account = stripe_payments.refresh_account_status(organisation)
        except stripe.StripeError:
            logger.exception("Stripe account of %s could not be checked.", organisation)
            messages.warning(
                request,
                _("We could not check your Stripe account just now. Please look again later."),
            )
            return _selling_page(organisation)
        if organisation.stripe_charges_enabled and organisation.stripe_payouts_enabled:
            messages.success(request, _("Your organisation can now be paid by card."))
        elif getattr(account, "details_submitted", False):
            messages.info(
                request,
                _(
                    "Stripe is checking your details. Card payment will be offered to "
                    "consumers as soon as Stripe enables your account."
                ),
            )
        else:
            messages.warning(
                request,
                _(
                    "Stripe still needs some details about your organisation. Continue "
                    "the setup to be paid by card."
                ),
            )
        return _selling_page(organisation)
