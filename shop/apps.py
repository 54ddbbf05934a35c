from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    """The marketplace layer: home page, market landing, demo data, shared helpers."""

    name = "shop"
    verbose_name = _("Social market")
