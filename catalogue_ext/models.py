from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct, AbstractProductClass


class VATRate(models.TextChoices):
    """Greek VAT categories; the percentages live in settings.VAT_RATES."""

    STANDARD = "standard", _("Standard VAT rate")
    REDUCED = "reduced", _("Reduced VAT rate")
    SUPER_REDUCED = "super_reduced", _("Super-reduced VAT rate")


class ProductKind(models.TextChoices):
    GOOD = "good", _("Good (shipped or picked up)")
    SERVICE = "service", _("Service")


class ServiceBooking(models.TextChoices):
    BOOKABLE = "bookable", _("Booked and paid online")
    QUOTE = "quote", _("On request: ask for a quote")


class ServiceLocation(models.TextChoices):
    AT_ORGANISATION = "at_organisation", _("At the organisation's premises")
    AT_CUSTOMER = "at_customer", _("At the customer's place")
    ONLINE = "online", _("Online")
    ON_SITE = "on_site", _("Outdoors or on site")


class ProductClass(AbstractProductClass):
    vat_rate = models.CharField(
        _("VAT rate"),
        max_length=16,
        choices=VATRate.choices,
        default=VATRate.STANDARD,
        help_text=_("Greek VAT category applied to every product of this class."),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ProductKind.choices, default=ProductKind.GOOD
    )

    @property
    def vat_percentage(self):
        return settings.VAT_RATES[self.vat_rate]


class Certification(models.Model):
    """A quality label a product may carry (organic, PDO, fair trade, …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        app_label = "catalogue"
        ordering = ("display_order", "code")
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the visitor's language for the labels the platform knows."""
        return CERTIFICATION_LABELS.get(self.code, self.name)


CERTIFICATION_LABELS = {
    "organic": _("Organic"),
    "pdo": _("PDO (protected designation of origin)"),
    "pgi": _("PGI (protected geographical indication)"),
    "fair-trade": _("Fair trade"),
    "handmade": _("Handmade"),
}


class Product(AbstractProduct):
    """A good or a service offered by one organisation (through its one stock record)."""

    certifications = models.ManyToManyField(
        Certification, blank=True, related_name="products", verbose_name=_("certifications")
    )
    service_duration = models.DurationField(
        _("duration"), null=True, blank=True, help_text=_("For services: how long it lasts.")
    )
    service_location = models.CharField(
        _("where it takes place"), max_length=32, choices=ServiceLocation.choices, blank=True
    )
    service_area = models.CharField(
        _("area served"),
        max_length=200,
        blank=True,
        help_text=_("For services: the places where it is offered, e.g. “Ζαγόρι, Ιωάννινα”."),
    )
    service_booking = models.CharField(
        _("booking"),
        max_length=16,
        choices=ServiceBooking.choices,
        default=ServiceBooking.BOOKABLE,
        help_text=_(
            "Bookable services are bought like goods (limit the places with the stock "
            "level); the others are offered on request."
        ),
    )

    class Meta(AbstractProduct.Meta):
        # The listing's "name" sort; the other sorts and filters use Oscar's indexes
        # (date_created, is_public, parent) and those of the joined tables.
        indexes = [models.Index(fields=["title", "id"], name="product_title_idx")]

    @property
    def is_service(self):
        return self.get_product_class().kind == ProductKind.SERVICE

    @property
    def is_quote_only(self):
        return self.is_service and self.service_booking == ServiceBooking.QUOTE

    @property
    def sorted_recommended_products(self):
        """Oscar's, reading the recommendations the product page prefetches."""
        recommendations = self.primary_recommendations.all()
        if "primary_recommendations" not in getattr(self, "_prefetched_objects_cache", {}):
            recommendations = recommendations.select_related("recommendation")
        return [recommendation.recommendation for recommendation in recommendations]


from oscar.apps.catalogue.models import *  # noqa: E402, F403
