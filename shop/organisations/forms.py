from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.organisations.selectors import DEFAULT_PRODUCT_SORT, NEAREST
from shop.partner.models import LegalForm, Partner, Region
from shop.uploads import clean_image_file


def certification_choices():
    from catalogue_ext.models import Certification

    return [("", _("All")), *((c.code, c.label) for c in Certification.objects.all())]


class OrganisationFilterForm(forms.Form):
    """The directory's filters and sorting (a plain GET form); invalid values are ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        required=False,
        choices=[("", _("All legal forms")), *LegalForm.choices],
    )
    certification = forms.ChoiceField(
        label=_("Certification"), required=False, choices=certification_choices
    )
    kind = forms.ChoiceField(
        label=_("What they offer"),
        required=False,
        choices=[
            ("", _("Products or services")),
            ("good", _("Products")),
            ("service", _("Services")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("name", _("Name, A to Z")), ("newest", _("Newest first"))],
    )
    # "latitude,longitude", filled in by the page's script from the visitor's location.
    near = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and parse_point(self.data.get("near")) is not None:
            self.fields["sort"].choices = [
                *self.fields["sort"].choices,
                (NEAREST, _("Nearest first")),
            ]

    def clean_near(self):
        value = self.cleaned_data["near"].strip()
        if value and parse_point(value) is None:
            raise forms.ValidationError(_("Give a location as latitude,longitude."))
        return value

    def filters(self):
        """The valid filters and sorting, as keyword arguments of the selectors."""
        if not self.is_bound:
            return {}
        self.is_valid()
        chosen = {name: value for name, value in self.cleaned_data.items() if value}
        if "near" in chosen:
            chosen["near"] = parse_point(chosen["near"])
        return chosen


def parse_point(value):
    """(latitude, longitude) from "lat,lng", or None if it is not a point on Earth."""
    try:
        latitude, longitude = (float(part) for part in str(value or "").split(","))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


class ProductSortForm(forms.Form):
    """How a storefront's products are filtered and sorted."""

    kind = forms.ChoiceField(
        label=_("Products or services"),
        required=False,
        choices=[("", _("All")), ("good", _("Products")), ("service", _("Services"))],
    )
    certification = forms.ChoiceField(
        label=_("Certification"), required=False, choices=certification_choices
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        initial=DEFAULT_PRODUCT_SORT,
        choices=[
            ("newest", _("Newest first")),
            ("price-asc", _("Price, lowest first")),
            ("price-desc", _("Price, highest first")),
            ("title", _("Name, A to Z")),
        ],
    )


def _https_by_default(model_field, **kwargs):
    """Addresses typed without a scheme (``example.org``) are taken as https."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):
    """An organisation's profile, as its members give it; the address goes to PartnerAddress.

    It only validates: ``services.create_organisation`` / ``update_organisation`` save.
    """

    address_line = forms.CharField(label=_("Street and number"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=255, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=64, required=False)

    class Meta:
        model = Partner
        fields = [
            "name",
            "legal_form",
            "vat_number",
            "gemi_number",
            "description",
            "region",
            "municipality",
            "address_line",
            "city",
            "postcode",
            "website",
            "facebook_url",
            "instagram_url",
            "youtube_url",
            "linkedin_url",
            "contact_email",
            "contact_phone",
            "iban",
            "logo",
            "cover_image",
        ]
        labels = {"name": _("Name of the organisation")}
        formfield_callback = _https_by_default
        # The upload is checked by clean_image_file (real format, size, pixels), which
        # gives clearer messages than Django's own image check.
        field_classes = {"logo": forms.FileField, "cover_image": forms.FileField}
        widgets = {
            "logo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "cover_image": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        address = self.instance.addresses.order_by("id").first() if self.instance.pk else None
        if address is not None:
            self.initial.setdefault("address_line", address.line1)
            self.initial.setdefault("city", address.line4)
            self.initial.setdefault("postcode", address.postcode)

    def clean_logo(self):
        return _cleaned_image(self.cleaned_data.get("logo"))

    def clean_cover_image(self):
        return _cleaned_image(self.cleaned_data.get("cover_image"))

    def clean(self):
        cleaned_data = super().clean()
        has_address = cleaned_data.get("postcode") or cleaned_data.get("city")
        if has_address and not cleaned_data.get("address_line"):
            self.add_error("address_line", _("Give the street and number of the address."))
        return cleaned_data


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the members (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))


def _cleaned_image(value):
    """A new upload, checked and re-encoded; anything else (kept, cleared) as it is."""
    if isinstance(value, UploadedFile):
        return clean_image_file(value)
    return value
