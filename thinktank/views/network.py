"""The network page: the verified member organisations, their own sites and the latest
posts of their feeds; and the members' page to give their organisation's feed."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.validators import URLValidator
from django.shortcuts import redirect
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView, ListView

from shop.organisations.access import organisation_for_member
from thinktank import network
from thinktank.facebook import facebook_feed_context
from thinktank.models import NetworkFeed
from thinktank.services import followed_organisation_ids

ORGANISATIONS_PER_PAGE = 24
LATEST_POSTS = 10
TEMPLATE = "thinktank/network.html"


class NetworkFeedForm(forms.Form):
    url = forms.URLField(
        label=capfirst(NetworkFeed._meta.get_field("url").verbose_name),
        max_length=500,
        assume_scheme="https",
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=_("Enter an http or https address."),
                code="scheme",
            )
        ],
        help_text=_(
            "The address of your site's RSS or Atom feed, for example "
            "https://example.org/feed/. Most blogs and news pages have one."
        ),
    )


class NetworkView(ListView):
    """Verified organisations with their own site, storefront and latest feed posts."""

    template_name = TEMPLATE
    context_object_name = "organisations"
    paginate_by = ORGANISATIONS_PER_PAGE

    def get_queryset(self):
        return network.network_organisations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_posts"] = network.latest_network_posts(limit=LATEST_POSTS)
        context["my_organisations"] = network.organisations_of_member(self.request.user)
        context["facebook"] = facebook_feed_context()
        context["followed_organisation_ids"] = followed_organisation_ids(self.request.user)
        return context


class NetworkFeedUpdateView(LoginRequiredMixin, FormView):
    """A member gives or changes their organisation's feed; it is read at once."""

    template_name = TEMPLATE
    form_class = NetworkFeedForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # Members only: everyone else gets a 404, as for a missing organisation.
            self.organisation = organisation_for_member(request.user, kwargs["slug"])
            self.feed = NetworkFeed.objects.filter(organisation=self.organisation).first()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"url": self.feed.url} if self.feed else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["feed_form"] = context.pop("form")
        context["organisation"] = self.organisation
        context["feed"] = self.feed
        return context

    def form_valid(self, form):
        feed = network.register_feed(organisation=self.organisation, url=form.cleaned_data["url"])
        new_posts = network.fetch_feed(feed)
        if feed.last_error:
            messages.warning(
                self.request,
                _("The feed address was saved, but the feed could not be read: %(error)s")
                % {"error": feed.last_error},
            )
        else:
            messages.success(
                self.request,
                ngettext(
                    "The feed address was saved and read: %(count)s new post.",
                    "The feed address was saved and read: %(count)s new posts.",
                    new_posts,
                )
                % {"count": new_posts},
            )
        return redirect("thinktank:network-feed", slug=self.organisation.code)


urlpatterns = [
    path("network/", NetworkView.as_view(), name="network"),
    path("network/<slug:slug>/feed/", NetworkFeedUpdateView.as_view(), name="network-feed"),
]
