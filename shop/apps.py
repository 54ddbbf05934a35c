from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    """The marketplace layer: home page, market landing, demo data, shared helpers."""

    name = "shop"
    verbose_name = _("Social market")

    def ready(self):
        from shop import page_cache, view_counts

        page_cache.connect_invalidation()
        view_counts.replace_oscar_receivers()
