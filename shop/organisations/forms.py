from django import forms
from django.utils.translation import gettext_lazy as _

from shop.organisations.selectors import DEFAULT_PRODUCT_SORT
from shop.partner.models import LegalForm, Region


class OrganisationFilterForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        required=False,
        choices=[("", _("All legal forms")), *LegalForm.choices],
    )


class ProductSortForm(forms.Form):
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
