from django.views.generic import TemplateView

from thinktank.selectors import thinktank_sections


class HubView(TemplateView):
    template_name = "thinktank/hub.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = thinktank_sections()
        return context
