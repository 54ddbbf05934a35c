"""A user's notification settings and the things they follow."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from thinktank import services
from thinktank.forms import NotificationSettingsForm
from thinktank.models import Follow


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


urlpatterns = [
    path("notifications/", NotificationSettingsView.as_view(), name="notifications"),
]
