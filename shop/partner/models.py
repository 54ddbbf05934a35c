from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner


class LegalForm(models.TextChoices):
    """Legal forms of Greek social and solidarity economy organisations."""

    AGRICULTURAL_COOPERATIVE = "agricultural_cooperative", _("Agricultural cooperative")
    SOCIAL_COOPERATIVE_ENTERPRISE = "koinsep", _("Social cooperative enterprise (KoinSEp)")
    INTEGRATION_SOCIAL_COOPERATIVE = (
        "koisep_entaxis",
        _("Social cooperative enterprise for integration"),
    )
    WOMENS_COOPERATIVE = "womens_cooperative", _("Women's cooperative")
    ENERGY_COMMUNITY = "energy_community", _("Energy community")
    CONSUMER_COOPERATIVE = "consumer_cooperative", _("Consumer cooperative")
    NGO = "ngo", _("Civil non-profit company / NGO")
    MUNICIPAL_ENTERPRISE = "municipal_enterprise", _("Municipal enterprise")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    """The 13 administrative regions of Greece."""

    EAST_MACEDONIA_THRACE = "east-macedonia-thrace", _("Eastern Macedonia and Thrace")
    CENTRAL_MACEDONIA = "central-macedonia", _("Central Macedonia")
    WEST_MACEDONIA = "west-macedonia", _("Western Macedonia")
    EPIRUS = "epirus", _("Epirus")
    THESSALY = "thessaly", _("Thessaly")
    IONIAN_ISLANDS = "ionian-islands", _("Ionian Islands")
    WESTERN_GREECE = "western-greece", _("Western Greece")
    CENTRAL_GREECE = "central-greece", _("Central Greece")
    ATTICA = "attica", _("Attica")
    PELOPONNESE = "peloponnese", _("Peloponnese")
    NORTH_AEGEAN = "north-aegean", _("North Aegean")
    SOUTH_AEGEAN = "south-aegean", _("South Aegean")
    CRETE = "crete", _("Crete")


class Partner(AbstractPartner):
    """A member organisation of the network that offers products and services.

    Oscar's ``code`` is its slug, made from the name by Greek transliteration.
    """

    legal_form = models.CharField(
        _("legal form"), max_length=32, choices=LegalForm.choices, default=LegalForm.OTHER
    )
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    municipality = models.CharField(_("municipality"), max_length=128, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta(AbstractPartner.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["region"], name="partner_region_idx"),
            models.Index(fields=["legal_form"], name="partner_legal_form_idx"),
        ]


from oscar.apps.partner.models import *  # noqa: E402, F403
