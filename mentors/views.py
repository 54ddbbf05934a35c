from django.views.generic import TemplateView

from mentors.selectors import programme_themes


class HubView(TemplateView):
    template_name = "mentors/hub.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["themes"] = programme_themes()
        return context
