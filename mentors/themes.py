"""The founders' ten themes of the MENTORS programme, with their sub-topics."""

from django.utils.translation import gettext_lazy as _

THEMES = [
    ("agenda-and-resources",
     _("The social economy agenda and the mobilisation of resources"), []),
    ("local-employment",
     _("The contribution of the social economy to local employment"), [
         _("“Technological” unemployment and the shrinking of wage labour"),
         _("The dead end of small private businesses"),
         _("Self-employment and cooperation: employer and employee at the same time"),
         _("Social wage and social dividend"),
         _("Cooperation as a labour relation"),
         _("Energy communities and consumer cooperatives show the way"),
     ]),
    ("local-development",
     _("The social economy as a necessary condition for local development and local income"), [
         _("Wider social policy at lower cost for municipalities"),
         _("Putting idle resources to use"),
         _("Local development and employment"),
         _("Institutions of solidarity"),
         _("Social innovation"),
     ]),
    ("local-government",
     _("Social economy and local government"), [
         _("Local needs that go unserved"),
         _("Institutional tools for cooperation"),
         _("Synergies of municipalities with social enterprises"),
         _("Social partnerships"),
         _("The economic advantage of participatory democracy"),
         _("Development companies"),
         _("Legislation for municipal support of social economy organisations"),
     ]),
    ("agri-food",
     _("The agri-food sector"), [
         _("The food needs of social services"),
         _("Uncultivated land"),
         _("Social farms"),
         _("Community-supported agriculture (without middlemen)"),
         _("Bridges between rural municipalities and urban centres"),
     ]),
    ("green-economy-energy-communities",
     _("Green economy and energy communities"), [
         _("The environmental commons"),
         _("The role of civil society"),
         _("Green entrepreneurship and the social economy"),
     ]),
    ("health",
     _("Social enterprises and health"), [
         _("Complementing the health system"),
         _("Prevention and post-hospital care"),
         _("Social care services"),
         _("Social clinics and pharmacies"),
         _("Volunteer services"),
     ]),
    ("culture-and-tourism",
     _("Culture and alternative tourism of social experience"), [
         _("The commons of cultural heritage"),
         _("Cultural tours by associations and cooperatives"),
         _("Cultural routes and trails"),
         _("Theme parks"),
     ]),
    ("social-capital",
     _("Social capital"), [
         _("Local and regional networks"),
         _("Consumer, environmental and volunteer organisations"),
     ]),
    ("benefits",
     _("The benefits"), [
         _("Local income"),
         _("Institutions of solidarity"),
         _("Preventing exclusion"),
         _("Quality of life"),
         _("Social innovation"),
         _("Trust in local government"),
     ]),
]  # fmt: skip
