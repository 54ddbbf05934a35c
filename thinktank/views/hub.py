from django.views.generic import TemplateView

from thinktank import access, selectors


class HubView(TemplateView):
    """The think tank's front page: the latest of every section."""

    template_name = "thinktank/hub.html"

    def get_context_data(self, **kwargs):
        from thinktank.facebook import facebook_feed_context
        from thinktank.network import latest_network_posts

        context = super().get_context_data(**kwargs)
        context["sections"] = selectors.hub_sections()
        context["network_posts"] = latest_network_posts(limit=5)
        context["can_moderate"] = access.can_moderate(self.request.user)
        context["drafts"] = selectors.unpublished_entries_of(self.request.user)
        context["facebook"] = facebook_feed_context()
        return context
