"""An organisation's selling settings: delivery options, shipping fees, payment methods."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from oscar.core.loading import get_model

from shop.access import is_platform_staff, organisations_of
from shop.organisations.selling_forms import SellingSettingsForm

Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")


def organisation_for_selling(user, slug):
    """The organisation at ``slug`` if ``user`` is one of its members or platform staff;
    otherwise Http404, so that a stranger cannot tell it from a missing page."""
    organisations = Partner.objects.all() if is_platform_staff(user) else organisations_of(user)
    return get_object_or_404(
        organisations.prefetch_related(
            Prefetch("addresses", queryset=PartnerAddress.objects.select_related("country")),
            "shipping_fees",
        ),
        code=slug,
    )


def stripe_state(organisation):
    """'not_connected', 'incomplete' (onboarding not finished) or 'ready'."""
    if not organisation.stripe_account_id:
        return "not_connected"
    if organisation.stripe_charges_enabled and organisation.stripe_payouts_enabled:
        return "ready"
    return "incomplete"


class SellingSettingsView(LoginRequiredMixin, View):
    template_name = "shop/organisations/selling.html"

    def get(self, request, slug):
        organisation = organisation_for_selling(request.user, slug)
        return self._render(organisation, SellingSettingsForm(organisation=organisation))

    def post(self, request, slug):
        organisation = organisation_for_selling(request.user, slug)
        form = SellingSettingsForm(request.POST, organisation=organisation)
        if form.is_valid():
            form.save()
            messages.success(request, _("The delivery and payment settings have been saved."))
            return redirect("organisations:selling", slug=organisation.slug)
        return self._render(organisation, form)

    def _render(self, organisation, form):
        return render(
            self.request,
            self.template_name,
            {
                "organisation": organisation,
                "form": form,
                "fees": form.fees,
                "stripe_enabled": settings.STRIPE_ENABLED,
                "stripe_state": stripe_state(organisation),
            },
        )
