from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The founders' sections of the think tank, in their order (see MISSION.md).
SECTIONS = [
    ("news", _("News of the Cooperative Society"),
     _("Joint actions and initiatives, principles, announcements, press releases and "
       "reports from the Monday meetings.")),
    ("articles", _("Opinion articles"), _("Signed opinion pieces by members of the network.")),
    ("library", _("Digital library"),
     _("Studies, standards and templates, legislation and other documents.")),
    ("events", _("Upcoming actions and events"),
     _("Initiatives and events of the member organisations.")),
    ("videos", _("Videos of past events"), _("Recordings of earlier events.")),
    ("proposals", _("Proposals and interventions"),
     _("Project proposals, open letters and interventions.")),
    ("facebook", _("Live feed from Facebook"), _("The platform's Facebook page.")),
    ("network", _("Cooperating sites"),
     _("The member organisations of the network and their own sites.")),
]  # fmt: skip


def thinktank_sections():
    """The think tank's sections; each links to its page once that page exists."""
    hub = reverse("thinktank:hub")
    return [
        {"key": key, "title": title, "description": description, "url": f"{hub}#{key}"}
        for key, title, description in SECTIONS
    ]
