from copy import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView
from oscar.core.loading import get_model

from shop.organisations import selectors, services
from shop.organisations.access import organisation_for_member
from shop.organisations.forms import (
    InvitationForm,
    JoinRequestForm,
    OrganisationFilterForm,
    OrganisationForm,
    ProductSortForm,
)
from shop.organisations.selectors import DEFAULT_PRODUCT_SORT

Invitation = get_model("partner", "Invitation")
JoinRequest = get_model("partner", "JoinRequest")


class OrganisationListView(ListView):
    """The directory of the network's verified organisations: filters, sorting and a map.

    The map (static/js/organisations-map.js) is drawn from the filtered organisations'
    data in the page; without JavaScript the list alone is the directory.
    """

    template_name = "shop/organisations/list.html"
    context_object_name = "organisations"
    paginate_by = 24

    def get_queryset(self):
        self.filter_form = OrganisationFilterForm(self.request.GET or None)
        self.filters = self.filter_form.filters()
        return selectors.public_organisations(**self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        map_filters = {
            name: value
            for name, value in self.filters.items()
            if name in ("q", "region", "legal_form", "certification", "kind")
        }
        for organisation in context["organisations"]:
            organisation.distance_km = selectors.distance_km(organisation)
        context.update(
            filter_form=self.filter_form,
            active_filters=_active_filters(self.request, self.filter_form),
            map_organisations=selectors.organisations_for_map(**map_filters),
            map_limit=selectors.MAP_LIMIT,
            map_tiles={
                "url": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
            },
            query_without_page=_query_without_page(self.request),
        )
        return context


def _active_filters(request, form):
    """(label, link that removes it) for each filter in use, e.g. "Region: Crete"."""
    if not form.is_bound:
        return []
    active = []
    for name in ("q", "region", "legal_form", "certification", "kind"):
        value = form.cleaned_data.get(name)
        if not value:
            continue
        field = form[name]
        shown = value if name == "q" else dict(field.field.choices).get(value, value)
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        active.append({"label": f"{field.label}: {shown}", "query": query.urlencode()})
    return active


class StorefrontView(TemplateView):
    """An organisation's own storefront: its profile and what it offers."""

    template_name = "shop/organisations/storefront.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = selectors.organisation_for_storefront(
            slug=kwargs["slug"], user=self.request.user
        )
        if organisation is None:
            raise Http404
        sort_form = ProductSortForm(self.request.GET or {"sort": DEFAULT_PRODUCT_SORT})
        chosen = sort_form.cleaned_data if sort_form.is_valid() else {}
        products = selectors.storefront_products(
            organisation,
            sort=chosen.get("sort") or DEFAULT_PRODUCT_SORT,
            certification=chosen.get("certification", ""),
            kind=chosen.get("kind", ""),
        )
        page = Paginator(products, settings.OSCAR_PRODUCTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            organisation=organisation,
            address=next(iter(organisation.addresses.all()), None),
            sort_form=sort_form,
            page_obj=page,
            products=page.object_list,
            query_without_page=_query_without_page(self.request),
            join_form=JoinRequestForm(),
            **selectors.membership_context(organisation=organisation, user=self.request.user),
        )
        return context


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Joining and self-management ----------------------------------------------------------
#
# GET shows a page, POST calls one service and redirects with a message. Member-only
# pages find their organisation through access.organisation_for_member (404 to others).


def _act(request, action, success_message):
    """Run a service; on refusal show its message instead. True when it succeeded.

    ``success_message`` is a text, or a function of what the service returned.
    """
    try:
        result = action()
    except (ValidationError, PermissionDenied) as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return False
    if callable(success_message):
        success_message = success_message(result)
    messages.success(request, success_message)
    return True


def _messages_of(error):
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or _("You are not allowed to do this.")]


def _visible_organisation(request, slug):
    organisation = selectors.organisation_for_storefront(slug=slug, user=request.user)
    if organisation is None:
        raise Http404
    return organisation


class OrganisationCreateView(LoginRequiredMixin, View):
    template_name = "shop/organisations/organisation_form.html"

    def get(self, request):
        return self._render(OrganisationForm())

    def post(self, request):
        form = OrganisationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                organisation = services.create_organisation(
                    user=request.user, data=form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _messages_of(error))
            else:
                messages.success(
                    request,
                    _(
                        "The organisation %(name)s has been created. It will appear in the "
                        "directory once it is verified."
                    )
                    % {"name": organisation.name},
                )
                return redirect(organisation.get_absolute_url())
        return self._render(form)

    def _render(self, form):
        return render(self.request, self.template_name, {"form": form, "organisation": None})


class OrganisationEditView(LoginRequiredMixin, View):
    template_name = "shop/organisations/organisation_form.html"

    def get(self, request, slug):
        organisation = organisation_for_member(request.user, slug)
        return self._render(organisation, OrganisationForm(instance=copy(organisation)))

    def post(self, request, slug):
        organisation = organisation_for_member(request.user, slug)
        form = OrganisationForm(request.POST, request.FILES, instance=copy(organisation))
        if form.is_valid():
            try:
                services.update_organisation(
                    organisation=organisation, by=request.user, data=form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _messages_of(error))
            else:
                messages.success(request, _("The profile has been saved."))
                return redirect(organisation.get_absolute_url())
        return self._render(organisation, form)

    def _render(self, organisation, form):
        return render(
            self.request, self.template_name, {"form": form, "organisation": organisation}
        )


class MyOrganisationsView(LoginRequiredMixin, TemplateView):
    template_name = "shop/organisations/mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            organisations=selectors.organisations_of(user),
            invitations=selectors.invitations_for(user),
            join_requests=selectors.join_requests_of(user),
            awaiting_vouch=selectors.awaiting_vouch_from(user),
        )
        return context


class MembersView(LoginRequiredMixin, View):
    template_name = "shop/organisations/members.html"

    def get(self, request, slug):
        organisation = organisation_for_member(request.user, slug)
        return render(
            request,
            self.template_name,
            {
                "organisation": organisation,
                "members": selectors.members_of(organisation),
                "join_requests": selectors.pending_join_requests(organisation),
                "invitations": selectors.pending_invitations(organisation),
                "invitation_form": InvitationForm(),
            },
        )


@login_required
@require_POST
def invite_member(request, slug):
    organisation = organisation_for_member(request.user, slug)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("organisations:members", slug=slug)
    email = form.cleaned_data["email"]
    _act(
        request,
        lambda: services.invite_member(organisation=organisation, email=email, by=request.user),
        lambda invitation: (
            _("An invitation has been sent to %(email)s.") % {"email": invitation.email}
        ),
    )
    return redirect("organisations:members", slug=slug)


@login_required
@require_POST
def remove_member(request, slug, user_id):
    organisation = organisation_for_member(request.user, slug)
    member = get_object_or_404(organisation.users.all(), pk=user_id)
    leaving = member.pk == request.user.pk
    done = _act(
        request,
        lambda: services.remove_member(organisation=organisation, member=member, by=request.user),
        _("You have left the organisation.")
        if leaving
        else _("%(name)s is no longer a member.") % {"name": _person(member)},
    )
    if done and leaving:
        return redirect("organisations:mine")
    return redirect("organisations:members", slug=slug)


@login_required
@require_POST
def decide_join_request(request, slug, pk):
    organisation = organisation_for_member(request.user, slug)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=organisation,
    )
    accept = request.POST.get("decision") == "accept"
    _act(
        request,
        lambda: services.decide_join_request(
            join_request=join_request, by=request.user, accept=accept
        ),
        (
            _("%(name)s is now a member.")
            if accept
            else _("The request of %(name)s has been declined.")
        )
        % {"name": _person(join_request.user)},
    )
    return redirect("organisations:members", slug=slug)


@login_required
@require_POST
def join(request, slug):
    organisation = _visible_organisation(request, slug)
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    _act(
        request,
        lambda: services.request_to_join(
            organisation=organisation, user=request.user, message=message
        ),
        _("Your request has been sent to the members of %(name)s.") % {"name": organisation.name},
    )
    return redirect(organisation.get_absolute_url())


@login_required
@require_POST
def vouch(request, slug):
    organisation = _visible_organisation(request, slug)
    _act(
        request,
        lambda: services.vouch_for(organisation=organisation, by=request.user),
        _("Thank you: you have vouched for %(name)s.") % {"name": organisation.name},
    )
    return redirect(organisation.get_absolute_url())


@login_required
@require_POST
def verify(request, slug):
    organisation = _visible_organisation(request, slug)
    _act(
        request,
        lambda: services.verify_by_staff(organisation=organisation, by=request.user),
        _("%(name)s is now verified.") % {"name": organisation.name},
    )
    return redirect(organisation.get_absolute_url())


class InvitationView(LoginRequiredMixin, View):
    """The link in the invitation e-mail: shows the invitation, POST accepts it."""

    template_name = "shop/organisations/invitation.html"

    def get(self, request, token):
        try:
            invitation = services.invitation_for_token(token)
        except ValidationError as error:
            return render(
                request, self.template_name, {"invitation": None, "errors": error.messages}
            )
        return render(request, self.template_name, {"invitation": invitation, "errors": []})

    def post(self, request, token):
        done = _act(
            request,
            lambda: services.accept_invitation(token=token, user=request.user),
            _("Welcome: you are now a member of the organisation."),
        )
        if not done:
            return redirect("organisations:mine")
        invitation = Invitation.objects.select_related("organisation").get(token=token)
        return redirect(invitation.organisation.get_absolute_url())


def _person(user):
    return user.get_full_name() or user.email
