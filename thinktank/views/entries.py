"""The pages every think-tank section shares: list, detail, create, edit, history, diff,
revert, delete/restore, flag and follow. A section is these views bound to its model
and form by ``entry_urlpatterns``; sections with more (events, proposals…) subclass them.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from thinktank import access, selectors, services
from thinktank.forms import EntryFilterForm, FlagForm
from thinktank.models import ENTRY_MODEL_BY_SECTION

PAGE_SIZE = 20


class SectionMixin:
    """Binds a view to a section: ``section`` names it, ``model`` and ``form_class`` follow."""

    section = ""
    form_class = None

    @property
    def model(self):
        return ENTRY_MODEL_BY_SECTION[self.section]

    def get_template_names(self):
        return [f"thinktank/{self.section}/{self.template_suffix}.html",
                f"thinktank/entry_{self.template_suffix}.html"]  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = selectors.section_info(self.section)
        context["can_write"] = access.can_write(self.request.user)
        return context


class EntryListView(SectionMixin, ListView):
    template_suffix = "list"
    paginate_by = PAGE_SIZE
    date_field = "publish_at"

    def get_filter_form(self):
        kinds = self.model._meta.get_field("kind").choices if hasattr(self.model, "Kind") else None
        return EntryFilterForm(
            self.request.GET or None,
            organisations=selectors.organisations_with_entries(self.model),
            kinds=kinds,
        )

    def base_queryset(self):
        return self.model.objects.published().with_relations()

    def get_queryset(self):
        self.filter_form = self.get_filter_form()
        queryset = self.base_queryset()
        if self.filter_form.is_bound and self.filter_form.is_valid():
            queryset = selectors.filter_entries(
                queryset, date_field=self.date_field, **self.filter_form.cleaned_data
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["entries"] = context["object_list"]
        context["is_following"] = services.is_following(
            user=self.request.user, section=self.section
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        return context


class EntryDetailView(SectionMixin, DetailView):
    template_suffix = "detail"
    context_object_name = "entry"

    def get_object(self, queryset=None):
        queryset = self.model.objects.with_relations()
        return access.entry_for_viewer(self.request.user, queryset, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, entry = self.request.user, self.object
        context.update(
            can_edit=access.can_edit(user, entry),
            can_delete=access.can_delete(user, entry),
            can_moderate=access.can_moderate(user),
            flag_form=FlagForm(),
            flag_organisations=access.verified_organisations_of(user),
            is_following=services.is_following(user=user, entry=entry),
            revision_count=services.revisions_of(entry).count(),
            structured_data=selectors.structured_data(entry, self.request),
        )
        return context


class EntryFormMixin(LoginRequiredMixin, SectionMixin):
    template_suffix = "form"

    def get_form_class(self):
        from thinktank.forms import FORM_BY_SECTION

        return self.form_class or FORM_BY_SECTION[self.section]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = getattr(self, "object", None)
        return kwargs

    def form_valid(self, form):
        entry = form.save(commit=False)
        revision = services.save_entry(
            entry=entry,
            user=self.request.user,
            organisation=form.cleaned_data["organisation"],
            summary=form.cleaned_data.get("change_summary", ""),
        )
        if revision is None:
            messages.info(self.request, _("Nothing changed, so no new revision was saved."))
        else:
            messages.success(
                self.request, _("Saved as revision %(number)s.") % {"number": revision.number}
            )
        return HttpResponseRedirect(entry.get_absolute_url())


class EntryCreateView(EntryFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.can_write(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class EntryUpdateView(EntryFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = access.entry_for_editor(
                request.user, self.model.objects.all(), kwargs["slug"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entry"] = self.object
        return context


class EntryHistoryView(SectionMixin, TemplateView):
    template_suffix = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = access.entry_for_viewer(
            self.request.user, self.model.objects.all(), self.kwargs["slug"]
        )
        context.update(
            entry=entry,
            revisions=services.revisions_of(entry),
            moderation_log=services.moderation_log_of(entry),
            can_edit=access.can_edit(self.request.user, entry),
        )
        return context


class EntryDiffView(SectionMixin, TemplateView):
    template_suffix = "diff"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = access.entry_for_viewer(
            self.request.user, self.model.objects.all(), self.kwargs["slug"]
        )
        revisions = services.revisions_of(entry)
        try:
            older_number = int(self.request.GET.get("from", ""))
            newer_number = int(self.request.GET.get("to", ""))
        except ValueError:
            newest = list(revisions[:2])
            if len(newest) < 2:
                raise Http404 from None
            newer_number, older_number = newest[0].number, newest[1].number
        older = get_object_or_404(revisions, number=older_number)
        newer = get_object_or_404(revisions, number=newer_number)
        context.update(
            entry=entry,
            older=older,
            newer=newer,
            changes=services.diff_revisions(older, newer, self.model),
            can_edit=access.can_edit(self.request.user, entry),
        )
        return context


class EntryActionView(LoginRequiredMixin, SectionMixin, View):
    """A POST-only action on one entry, answered by a redirect with a message."""

    http_method_names = ["post"]

    def get_entry(self):
        return access.entry_for_viewer(
            self.request.user, self.model.objects.all(), self.kwargs["slug"]
        )

    def acting_organisation(self, entry=None):
        """The organisation the user acts for: posted, or the entry's if they belong
        to it, or their first verified organisation. None for staff without one."""
        own = access.verified_organisations_of(self.request.user)
        posted = self.request.POST.get("organisation")
        if posted:
            return access.organisation_for_author(self.request.user, posted)
        if entry is not None:
            match = own.filter(pk=entry.organisation_id).first()
            if match:
                return match
        return own.first()

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        try:
            message = self.act(entry)
        except services.ThinktankError as error:
            messages.error(request, str(error))
        else:
            if message:
                messages.success(request, message)
        return redirect(self.get_success_url(entry))

    def get_success_url(self, entry):
        return entry.get_absolute_url()


class EntryRevertView(EntryActionView):
    def act(self, entry):
        if not access.can_edit(self.request.user, entry):
            raise PermissionDenied
        revision = get_object_or_404(services.revisions_of(entry), number=self.kwargs["number"])
        services.revert_to(
            entry=entry,
            revision=revision,
            user=self.request.user,
            organisation=self.acting_organisation(entry),
        )
        return _("Restored the text of revision %(number)s as a new revision.") % {
            "number": revision.number
        }


class EntryDeleteView(EntryActionView):
    def act(self, entry):
        if not access.can_delete(self.request.user, entry):
            raise PermissionDenied
        services.delete_entry(
            entry=entry, user=self.request.user, organisation=self.acting_organisation(entry)
        )
        return _("Deleted. You can restore it from this page.")


class EntryRestoreView(EntryActionView):
    def act(self, entry):
        if not access.can_delete(self.request.user, entry):
            raise PermissionDenied
        services.restore_entry(
            entry=entry, user=self.request.user, organisation=self.acting_organisation(entry)
        )
        return _("Restored.")


class EntryFlagView(EntryActionView):
    def act(self, entry):
        form = FlagForm(self.request.POST)
        if not form.is_valid():
            raise services.ThinktankError(_("Choose a reason for your flag."))
        services.flag_entry(
            entry=entry,
            user=self.request.user,
            organisation=self.acting_organisation(),
            **form.cleaned_data,
        )
        return _("Thank you: your flag was recorded.")


class EntryFollowView(EntryActionView):
    def act(self, entry):
        if self.request.POST.get("follow") == "0":
            services.unfollow(user=self.request.user, entry=entry)
            return _("You no longer follow this entry.")
        services.follow(user=self.request.user, entry=entry)
        return _("You will get an e-mail when this entry changes.")


class SectionFollowView(LoginRequiredMixin, SectionMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if request.POST.get("follow") == "0":
            services.unfollow(user=request.user, section=self.section)
            messages.success(request, _("You no longer follow this section."))
        else:
            services.follow(user=request.user, section=self.section)
            messages.success(request, _("You will get an e-mail about new entries here."))
        return redirect(f"thinktank:{self.section}-list")


def entry_urlpatterns(section, *, list_view=EntryListView, detail_view=EntryDetailView, **views):
    """The URL patterns of one section, named ``<section>-<page>``."""

    def bound(view_class, name):
        return views.get(name, view_class).as_view(section=section)

    return [
        path(f"{section}/", bound(list_view, "list"), name=f"{section}-list"),
        path(f"{section}/new/", bound(EntryCreateView, "create"), name=f"{section}-create"),
        path(f"{section}/follow/", bound(SectionFollowView, "follow-section"),
             name=f"{section}-follow-section"),
        path(f"{section}/<slug:slug>/", bound(detail_view, "detail"), name=f"{section}-detail"),
        path(f"{section}/<slug:slug>/edit/", bound(EntryUpdateView, "edit"),
             name=f"{section}-edit"),
        path(f"{section}/<slug:slug>/history/", bound(EntryHistoryView, "history"),
             name=f"{section}-history"),
        path(f"{section}/<slug:slug>/diff/", bound(EntryDiffView, "diff"), name=f"{section}-diff"),
        path(f"{section}/<slug:slug>/revert/<int:number>/", bound(EntryRevertView, "revert"),
             name=f"{section}-revert"),
        path(f"{section}/<slug:slug>/delete/", bound(EntryDeleteView, "delete"),
             name=f"{section}-delete"),
        path(f"{section}/<slug:slug>/restore/", bound(EntryRestoreView, "restore"),
             name=f"{section}-restore"),
        path(f"{section}/<slug:slug>/flag/", bound(EntryFlagView, "flag"), name=f"{section}-flag"),
        path(f"{section}/<slug:slug>/follow/", bound(EntryFollowView, "follow"),
             name=f"{section}-follow"),
    ]  # fmt: skip
