import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner, AbstractStockRecord
from oscar.core.utils import slugify as oscar_slugify
from phonenumber_field.modelfields import PhoneNumberField

from shop.partner.validators import (
    normalise_iban,
    normalise_vat_number,
    validate_iban,
    validate_vat_number,
)


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


RESERVED_SLUGS = {"new", "mine", "invitations"}


class VerifiedOrganisationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(is_verified=True)


class Partner(AbstractPartner):
    """A member organisation of the network that offers products and services.

    Oscar's ``code`` is its slug, made from the name by Greek transliteration, and the
    address lives in Oscar's PartnerAddress. Its members are Oscar's ``users``.
    """

    legal_form = models.CharField(
        _("legal form"), max_length=32, choices=LegalForm.choices, default=LegalForm.OTHER
    )
    vat_number = models.CharField(
        _("VAT number (ΑΦΜ)"), max_length=9, blank=True, validators=[validate_vat_number]
    )
    gemi_number = models.CharField(
        _("General Commercial Registry number (ΓΕΜΗ)"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{9,12}$", _("A ΓΕΜΗ number has 9 to 12 digits."))],
    )
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/logos/%Y/%m/", blank=True)
    cover_image = models.ImageField(
        _("cover image"), upload_to="organisations/covers/%Y/%m/", blank=True
    )
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    municipality = models.CharField(_("municipality"), max_length=128, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    website = models.URLField(_("website"), blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    youtube_url = models.URLField(_("YouTube"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = PhoneNumberField(_("contact phone"), blank=True, region="GR")
    iban = models.CharField(
        _("IBAN for bank transfers"), max_length=34, blank=True, validators=[validate_iban]
    )
    tax_office = models.CharField(_("tax office (ΔΟΥ)"), max_length=128, blank=True)
    language = models.CharField(
        _("language of e-mails"), max_length=8, choices=settings.LANGUAGES, default="el"
    )
    # How the organisation sells: delivery options and payment methods it accepts.
    offers_pickup = models.BooleanField(_("pickup from our address"), default=True)
    pickup_instructions = models.CharField(
        _("pickup instructions"),
        max_length=255,
        blank=True,
        help_text=_("Days and hours, or how to find you."),
    )
    offers_shipping = models.BooleanField(_("shipping"), default=False)
    accepts_bank_transfer = models.BooleanField(_("bank transfer to our IBAN"), default=False)
    accepts_cash = models.BooleanField(_("cash on pickup or delivery"), default=True)
    stripe_account_id = models.CharField(_("Stripe account"), max_length=255, blank=True)
    stripe_charges_enabled = models.BooleanField(default=False)
    stripe_payouts_enabled = models.BooleanField(default=False)
    last_receipt_number = models.PositiveIntegerField(default=0, editable=False)
    is_verified = models.BooleanField(_("verified"), default=False, db_index=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = VerifiedOrganisationQuerySet.as_manager()

    class Meta(AbstractPartner.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["region"], name="partner_region_idx"),
            models.Index(fields=["legal_form"], name="partner_legal_form_idx"),
            # The directory's "newest" sort.
            models.Index(fields=["created", "id"], name="partner_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vat_number"],
                condition=~models.Q(vat_number=""),
                name="partner_unique_vat_number",
                violation_error_message=_("An organisation with this VAT number exists."),
            )
        ]

    def save(self, *args, **kwargs):
        if not self.code and oscar_slugify(self.name) in RESERVED_SLUGS:
            # These words are pages of the directory (/market/organisations/new/, …).
            self.code = f"{oscar_slugify(self.name)}-organisation"
        self.vat_number = normalise_vat_number(self.vat_number)
        self.iban = normalise_iban(self.iban)
        super().save(*args, **kwargs)

    @property
    def slug(self):
        return self.code

    def get_absolute_url(self):
        return reverse("organisations:storefront", kwargs={"slug": self.code})

    @property
    def social_links(self):
        """(label, URL) of each social network the organisation gave."""
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("YouTube", self.youtube_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(label, url) for label, url in links if url]

    @property
    def accepts_card(self):
        """Card payments need Stripe configured and the organisation's own connected
        account able to receive transfers."""
        return bool(
            settings.STRIPE_ENABLED
            and self.stripe_account_id
            and self.stripe_charges_enabled
            and self.stripe_payouts_enabled
        )

    def shipping_fee_for(self, subtotal):
        """The fee of the table row that applies to goods worth ``subtotal``, or 0."""
        applicable = [row for row in self.shipping_fees.all() if row.min_subtotal <= subtotal]
        if not applicable:
            return Decimal("0.00")
        return max(applicable, key=lambda row: row.min_subtotal).fee

    @property
    def iban_display(self):
        """The IBAN in groups of four, as banks print it."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))


class ShippingFee(models.Model):
    """A row of an organisation's shipping fee table: orders whose goods cost at least
    ``min_subtotal`` (VAT included) pay ``fee``; the row with the highest threshold
    reached applies, so a row with fee 0 offers free shipping above its threshold."""

    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="shipping_fees",
        verbose_name=_("organisation"),
    )
    min_subtotal = models.DecimalField(
        _("for orders from"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    fee = models.DecimalField(
        _("shipping fee (incl. VAT)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        app_label = "partner"
        verbose_name = _("shipping fee")
        verbose_name_plural = _("shipping fees")
        ordering = ("organisation", "min_subtotal")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "min_subtotal"],
                name="shippingfee_one_per_threshold",
                violation_error_message=_("There is already a fee for this amount."),
            )
        ]

    def __str__(self):
        return f"{self.organisation}: ≥{self.min_subtotal} → {self.fee}"


class StockRecord(AbstractStockRecord):
    """What one organisation offers of a product: price, stock, its own SKU.

    A product belongs to exactly one organisation, so it has at most one stock record.
    """

    class Meta(AbstractStockRecord.Meta):
        constraints = [
            models.UniqueConstraint(fields=["product"], name="stockrecord_one_per_product"),
            models.CheckConstraint(
                condition=models.Q(num_in_stock__gte=0) | models.Q(num_in_stock__isnull=True),
                name="stockrecord_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(num_allocated__gte=0) | models.Q(num_allocated__isnull=True),
                name="stockrecord_allocated_not_negative",
            ),
        ]


INVITATION_VALID_FOR = timedelta(days=14)


def new_invitation_token():
    return secrets.token_urlsafe(32)


class JoinRequest(models.Model):
    """A person's request to become a member of an organisation, decided by its members."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_join_requests",
        verbose_name=_("user"),
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        app_label = "partner"
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ("created", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="joinrequest_one_pending_per_user",
                violation_error_message=_(
                    "You have already asked to join this organisation; "
                    "its members have not decided yet."
                ),
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation}"


class Invitation(models.Model):
    """An invitation by e-mail to become a member; its token is the secret accept link."""

    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        app_label = "partner"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created", "-id")

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def expires_at(self):
        return self.created + INVITATION_VALID_FOR

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at


class VerificationVouch(models.Model):
    """A member of a verified organisation vouches that another organisation is genuine.

    Two vouches from two different verified organisations verify it (see
    ``shop.organisations.services.vouch_for``).
    """

    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="vouches",
        verbose_name=_("organisation vouched for"),
    )
    voucher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("vouched by"),
    )
    voucher_organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="vouches_given",
        verbose_name=_("on behalf of"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        app_label = "partner"
        verbose_name = _("verification vouch")
        verbose_name_plural = _("verification vouches")
        ordering = ("created", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "voucher_organisation"],
                name="vouch_once_per_organisation_pair",
                violation_error_message=_(
                    "A member of your organisation has already vouched for this one."
                ),
            )
        ]

    def __str__(self):
        return f"{self.voucher_organisation} → {self.organisation}"


from oscar.apps.partner.models import *  # noqa: E402, F403
