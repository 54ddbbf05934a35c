"""The proposals section: proposals, open letters and interventions, endorsed by
organisations and discussed by members (see thinktank/views/entries.py for the
shared pages)."""

from django import forms
from django.db.models import Count
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _

from thinktank import access, services
from thinktank.forms import CommentForm
from thinktank.views.entries import EntryActionView, EntryDetailView, EntryListView


class ProposalListView(EntryListView):
    """Each proposal with its number of endorsements, counted in the same query."""

    section = "proposals"

    def base_queryset(self):
        # A grouped query drops the model's default ordering: repeat it.
        return (
            super()
            .base_queryset()
            .annotate(endorsement_count=Count("endorsements"))
            .order_by("-publish_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["item_template"] = "thinktank/proposals/item.html"
        return context


class ProposalDetailView(EntryDetailView):
    """The proposal, the organisations that endorse it, and the members' comments; its
    members may endorse for their organisations, withdraw an endorsement and comment."""

    section = "proposals"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal, user = self.object, self.request.user
        endorsements = list(
            proposal.endorsements.select_related("organisation").order_by("created_at", "pk")
        )
        comments = list(
            proposal.comments.filter(is_removed=False)
            .select_related("author", "organisation")
            .order_by("created_at", "pk")
        )
        own = list(access.verified_organisations_of(user))
        endorsing = {endorsement.organisation_id for endorsement in endorsements}
        open_to_members = proposal.is_published and bool(own)
        comment_form = None
        if open_to_members:
            comment_form = CommentForm(user=user)
            if len(own) == 1:
                comment_form.fields["organisation"].widget = forms.HiddenInput()
                comment_form.initial["organisation"] = own[0].pk
        context.update(
            endorsements=endorsements,
            comments=comments,
            member_organisations=own,
            can_endorse_for=[o for o in own if o.pk not in endorsing] if open_to_members else [],
            can_withdraw_for=[o for o in own if o.pk in endorsing],
            comment_form=comment_form,
        )
        return context


class ProposalActionView(EntryActionView):
    """A member acts for one of their verified organisations, named in the POST: any
    other organisation (or none) is not found, so nobody acts for someone else's."""

    section = "proposals"
    anchor = ""

    def posted_organisation(self):
        posted = self.request.POST.get("organisation", "")
        if not posted.isdigit():
            raise Http404
        return access.organisation_for_author(self.request.user, int(posted))

    def get_success_url(self, entry):
        return f"{entry.get_absolute_url()}#{self.anchor}"


class EndorseView(ProposalActionView):
    anchor = "endorsements"

    def act(self, entry):
        organisation = self.posted_organisation()
        services.endorse(proposal=entry, organisation=organisation, user=self.request.user)
        return _("%(organisation)s now endorses this proposal.") % {
            "organisation": organisation.name
        }


class WithdrawEndorsementView(ProposalActionView):
    anchor = "endorsements"

    def act(self, entry):
        organisation = self.posted_organisation()
        if not services.withdraw_endorsement(proposal=entry, organisation=organisation):
            raise services.ThinktankError(_("Your organisation does not endorse this proposal."))
        return _("%(organisation)s no longer endorses this proposal.") % {
            "organisation": organisation.name
        }


class CommentView(ProposalActionView):
    anchor = "comments"

    def act(self, entry):
        organisation = self.posted_organisation()
        form = CommentForm(self.request.POST, user=self.request.user)
        if not form.is_valid():
            errors = form.errors.get("body") or [_("Write your comment.")]
            raise services.ThinktankError(" ".join(str(error) for error in errors))
        services.add_comment(
            proposal=entry,
            user=self.request.user,
            organisation=organisation,
            body=form.cleaned_data["body"],
        )
        return _("Your comment was published.")


SECTION_VIEWS = {"proposals": {"list_view": ProposalListView, "detail_view": ProposalDetailView}}

urlpatterns = [
    path("proposals/<slug:slug>/endorse/", EndorseView.as_view(), name="proposals-endorse"),
    path(
        "proposals/<slug:slug>/withdraw/",
        WithdrawEndorsementView.as_view(),
        name="proposals-withdraw",
    ),
    path("proposals/<slug:slug>/comment/", CommentView.as_view(), name="proposals-comment"),
]
