from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from oscar.core.loading import get_model

from thinktank.models import ENTRY_MODELS

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")


class I18nSitemap(Sitemap):
    """Every page listed once per language, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(I18nSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["home", "thinktank:hub", "mentors:hub", "market", "catalogue:index"]

    def location(self, item):
        return reverse(item)


class ProductSitemap(I18nSitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self):
        return (
            Product.objects.browsable()
            .filter(is_public=True)
            .order_by("pk")
            .only("pk", "slug", "date_updated")
        )

    def lastmod(self, product):
        return product.date_updated


class CategorySitemap(I18nSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Category.objects.filter(is_public=True).order_by("path")


class ThinktankSectionsSitemap(I18nSitemap):
    """The list page of each think-tank section and the cooperating sites (the hub is
    among the static pages)."""

    changefreq = "daily"
    priority = 0.7

    def items(self):
        return [f"thinktank:{model.section}-list" for model in ENTRY_MODELS] + ["thinktank:network"]

    def location(self, item):
        return reverse(item)


class ThinktankEntrySitemap(I18nSitemap):
    """The published entries of one think-tank section."""

    changefreq = "weekly"
    priority = 0.6
    limit = 5000
    model = None

    def items(self):
        return self.model.objects.published().order_by("pk").only("pk", "slug", "updated_at")

    def lastmod(self, entry):
        return entry.updated_at


def _thinktank_entry_sitemaps():
    """One sitemap per section: ``thinktank-news``, ``thinktank-articles``…"""
    return {
        f"thinktank-{model.section}": type(
            f"{model.__name__}Sitemap", (ThinktankEntrySitemap,), {"model": model}
        )
        for model in ENTRY_MODELS
    }


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "thinktank-sections": ThinktankSectionsSitemap,
    **_thinktank_entry_sitemaps(),
}
