from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProductClass


class VATRate(models.TextChoices):
    """Greek VAT categories; the percentages live in settings.VAT_RATES."""

    STANDARD = "standard", _("Standard VAT rate")
    REDUCED = "reduced", _("Reduced VAT rate")
    SUPER_REDUCED = "super_reduced", _("Super-reduced VAT rate")


class ProductClass(AbstractProductClass):
    vat_rate = models.CharField(
        _("VAT rate"),
        max_length=16,
        choices=VATRate.choices,
        default=VATRate.STANDARD,
        help_text=_("Greek VAT category applied to every product of this class."),
    )

    @property
    def vat_percentage(self):
        return settings.VAT_RATES[self.vat_rate]


from oscar.apps.catalogue.models import *  # noqa: E402, F403
