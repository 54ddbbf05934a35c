"""How an organisation sells: its delivery options, shipping fee table and payment methods."""

from copy import copy
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")
ShippingFee = get_model("partner", "ShippingFee")

#: Blank rows of the fee table shown under the stored ones, for adding rows.
EXTRA_FEE_ROWS = 2

CENT = Decimal("0.01")


def _amount_field(label):
    # Localised, so that "4,50" (Greek) and "4.50" are both understood.
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
    )


class ShippingFeeForm(forms.Form):
    """One row of the shipping fee table."""

    min_subtotal = _amount_field(_("For orders from (€)"))
    fee = _amount_field(_("Shipping fee (€)"))


class BaseShippingFeeFormSet(forms.BaseFormSet):
    """The rows of the fee table; each threshold once. When shipping is offered there
    must be at least one row, and the lowest row starts at 0 € so that every order
    has a fee."""

    def __init__(self, *args, shipping_offered=False, **kwargs):
        self.shipping_offered = shipping_offered
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        # Every blank row is skipped; a stored row the member clears is thus removed.
        kwargs["empty_permitted"] = True
        return super()._construct_form(i, **kwargs)

    def rows(self):
        """{threshold: fee} of the kept rows of a valid formset."""
        rows = {}
        for form in self._kept_forms():
            threshold = form.cleaned_data["min_subtotal"].quantize(CENT)
            rows[threshold] = form.cleaned_data["fee"].quantize(CENT)
        return rows

    def _kept_forms(self):
        return [
            form
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data
            and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self._kept_forms():
            threshold = form.cleaned_data["min_subtotal"].quantize(CENT)
            if threshold in seen:
                form.add_error(
                    "min_subtotal",
                    _(
                        "Another row is already for orders from %(amount)s €: give each "
                        "row a different amount, or delete one of them."
                    )
                    % {"amount": number_format(threshold, 2)},
                )
            seen.add(threshold)
        if not seen:
            if self.shipping_offered:
                raise forms.ValidationError(
                    _(
                        "Give at least one row of the shipping fee table (for example: for "
                        "orders from 0 €, a fee of 4.50 €), or do not offer shipping."
                    ),
                    code="no_rows",
                )
            return
        if min(seen) != 0:
            raise forms.ValidationError(
                _(
                    "The first row must be for orders from 0 €, so that every order has a "
                    "shipping fee. Use a fee of 0 € for free shipping."
                ),
                code="no_zero_row",
            )


ShippingFeeFormSet = forms.formset_factory(
    ShippingFeeForm,
    formset=BaseShippingFeeFormSet,
    extra=EXTRA_FEE_ROWS,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


#: The organisation's columns this page changes.
SETTINGS_FIELDS = (
    "offers_pickup",
    "pickup_instructions",
    "offers_shipping",
    "accepts_bank_transfer",
    "accepts_cash",
    "tax_office",
    "language",
)


class SellingSettingsForm(forms.ModelForm):
    """The organisation's selling settings with its shipping fee table (``self.fees``).

    Problems of a whole group of choices are kept in ``delivery_errors`` and
    ``payment_errors`` so that the page shows them in their own group.
    """

    class Meta:
        model = Partner
        fields = SETTINGS_FIELDS
        labels = {
            "offers_pickup": _("Pickup from our address"),
            "pickup_instructions": _("Pickup instructions"),
            "offers_shipping": _("Shipping, with the fee table below"),
            "accepts_bank_transfer": _("Bank transfer to our IBAN"),
            "accepts_cash": _("Cash on pickup or on delivery"),
            "tax_office": _("Tax office (ΔΟΥ)"),
            "language": _("Language of the e-mails we receive"),
        }
        help_texts = {
            "pickup_instructions": _(
                "Days and hours, or how to find you; shown to the customer who chooses pickup."
            ),
            "accepts_bank_transfer": _(
                "The customer pays to the organisation's IBAN, quoting the order's "
                "reference; you mark the order paid when the money arrives."
            ),
            "tax_office": _("Printed on your receipts, with your VAT number (ΑΦΜ)."),
            "language": _("New orders and their changes are e-mailed to you in this language."),
        }

    def __init__(self, data=None, *, organisation):
        # The form works on a copy: a rejected form leaves the organisation untouched.
        super().__init__(data, instance=copy(organisation))
        self.organisation = organisation
        for name in ("offers_pickup", "offers_shipping", "accepts_bank_transfer", "accepts_cash"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        for name in ("pickup_instructions", "tax_office", "language"):
            self.fields[name].widget.attrs["class"] = "form-control"
        if data is None:
            self.fees = ShippingFeeFormSet(
                prefix="fees",
                initial=[
                    {"min_subtotal": row.min_subtotal, "fee": row.fee}
                    for row in organisation.shipping_fees.all()
                ],
            )
        else:
            # The posted rows are the whole table; the stored rows play no part, so a
            # page that was open while someone else changed the table cannot mix both.
            self.fees = ShippingFeeFormSet(
                data, prefix="fees", shipping_offered=bool(self["offers_shipping"].data)
            )
        self.delivery_errors = []
        self.payment_errors = []

    def is_valid(self):
        # Both are validated, so that every error shows at once.
        return all([super().is_valid(), self.fees.is_valid()])

    def clean(self):
        cleaned_data = super().clean()
        self.delivery_errors, self.payment_errors = [], []
        # Read every choice first: add_error() removes the field from cleaned_data.
        get = dict(cleaned_data).get
        if not (get("offers_pickup") or get("offers_shipping")):
            self.delivery_errors.append(
                _("Offer at least one way to deliver goods: pickup, shipping or both.")
            )
        if (
            get("offers_pickup")
            and not (get("pickup_instructions") or "").strip()
            and not self.organisation.addresses.all()
        ):
            self.add_error(
                "pickup_instructions",
                _(
                    "Your profile has no address: say here where customers collect their "
                    "orders, or add the address to the profile."
                ),
            )
        if get("accepts_bank_transfer") and not self.organisation.iban:
            self.add_error(
                "accepts_bank_transfer",
                _(
                    "Bank transfers need the organisation's IBAN, and the profile has none: "
                    "add the IBAN to the profile first."
                ),
            )
        if not (
            get("accepts_bank_transfer") or get("accepts_cash") or self.organisation.accepts_card
        ):
            self.payment_errors.append(
                _("Accept at least one way of payment: bank transfer, cash or card.")
            )
        problems = self.delivery_errors + self.payment_errors
        if problems:
            raise forms.ValidationError(problems)
        return cleaned_data

    @transaction.atomic
    def save(self):
        """Store the settings and the fee table together; returns the organisation."""
        organisation = Partner.objects.select_for_update().get(pk=self.organisation.pk)
        for name in SETTINGS_FIELDS:
            setattr(organisation, name, self.cleaned_data[name])
        # Only these columns: the Stripe state may change at the same time (webhooks).
        organisation.save(update_fields=[*SETTINGS_FIELDS, "updated"])
        rows = self.fees.rows()
        organisation.shipping_fees.exclude(min_subtotal__in=list(rows)).delete()
        for min_subtotal, fee in rows.items():
            ShippingFee.objects.update_or_create(
                organisation=organisation, min_subtotal=min_subtotal, defaults={"fee": fee}
            )
        return organisation
