"""Community moderation: the review queue, decisions, and the public log."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView

from thinktank import access, selectors, services
from thinktank.forms import ReviewForm
from thinktank.models import MODERATED_MODELS, ModerationAction


class ModerationQueueView(LoginRequiredMixin, TemplateView):
    template_name = "thinktank/moderation_queue.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.can_moderate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_entries"] = selectors.entries_awaiting_review()
        context["review_form"] = ReviewForm(user=self.request.user)
        return context


class ReviewView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, section, pk):
        if not access.can_moderate(request.user) or section not in MODERATED_MODELS:
            raise PermissionDenied
        entry = get_object_or_404(MODERATED_MODELS[section], pk=pk)
        form = ReviewForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose a decision and your organisation."))
            return redirect("thinktank:moderation-queue")
        try:
            services.review_entry(
                entry=entry,
                user=request.user,
                organisation=form.cleaned_data["organisation"],
                restore=form.cleaned_data["decision"] == "restore",
                note=form.cleaned_data["note"],
            )
        except services.ThinktankError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your decision was recorded in the public log."))
        return redirect("thinktank:moderation-queue")


class ModerationLogView(ListView):
    template_name = "thinktank/moderation_log.html"
    paginate_by = 50
    context_object_name = "actions"

    def get_queryset(self):
        return ModerationAction.objects.select_related("actor", "organisation", "content_type")


urlpatterns = [
    path("moderation/", ModerationQueueView.as_view(), name="moderation-queue"),
    path("moderation/log/", ModerationLogView.as_view(), name="moderation-log"),
    path("moderation/<slug:section>/<int:pk>/review/", ReviewView.as_view(),
         name="moderation-review"),
]  # fmt: skip
