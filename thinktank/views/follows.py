"""A user's notification settings and the things they follow."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from oscar.core.loading import get_model

from thinktank import services
from thinktank.forms import NotificationSettingsForm
from thinktank.models import Follow

Partner = get_model("partner", "Partner")


class NotificationSettingsView(LoginRequiredMixin, FormView):
    template_name = "thinktank/notifications.html"
    form_class = NotificationSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = services.notification_settings_for(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["follows"] = (
            Follow.objects.filter(user=self.request.user)
            .select_related("organisation", "content_type")
            .prefetch_related("target")
        )
        return context

    def post(self, request, *args, **kwargs):
        unfollow_id = request.POST.get("unfollow")
        if unfollow_id:
            get_object_or_404(Follow, pk=unfollow_id, user=request.user).delete()
            messages.success(request, _("You no longer follow it."))
            return redirect("thinktank:notifications")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Your notification settings were saved."))
        return redirect("thinktank:notifications")


class OrganisationFollowView(LoginRequiredMixin, View):
    """Follow (or stop following) everything a verified organisation publishes."""

    http_method_names = ["post"]

    def post(self, request, slug):
        organisation = get_object_or_404(Partner, code=slug, is_verified=True)
        if request.POST.get("follow") == "0":
            services.unfollow(user=request.user, organisation=organisation)
            messages.success(
                request, _("You no longer follow %(name)s.") % {"name": organisation.name}
            )
        else:
            services.follow(user=request.user, organisation=organisation)
            messages.success(
                request,
                _("You will get an e-mail when %(name)s publishes.") % {"name": organisation.name},
            )
        return redirect("thinktank:network")


urlpatterns = [
    path("notifications/", NotificationSettingsView.as_view(), name="notifications"),
    path("network/<slug:slug>/follow/", OrganisationFollowView.as_view(),
         name="organisation-follow"),
]  # fmt: skip
