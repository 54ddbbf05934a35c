from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThinktankConfig(AppConfig):
    name = "thinktank"
    verbose_name = _("Think tank")

    def ready(self):
        from thinktank import receivers  # noqa: F401  (connects the search index updates)
