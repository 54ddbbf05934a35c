from django.views.generic import TemplateView

from mentors import selectors
from mentors.views.programme import labelled


class HubView(TemplateView):
    """The programme's front page: next sessions, seminars, themes, latest questions."""

    template_name = "mentors/hub.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            themes=selectors.programme_themes(),
            next_sessions=labelled(selectors.upcoming_sessions(limit=5)),
            seminars=selectors.latest_seminars(limit=3),
            questions=selectors.latest_questions(limit=5),
        )
        return context
