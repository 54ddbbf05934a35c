from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from oscar.core.loading import get_model

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


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "products": ProductSitemap,
    "categories": CategorySitemap,
}
