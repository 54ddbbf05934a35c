"""The checkout page's forms: the consumer's contact, the address to ship to, and one
form per organisation for its delivery option and payment method."""

from django import forms
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from shop.order.models import DeliveryMethod


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=255)
    email = forms.EmailField(label=_("E-mail address"))
    phone = PhoneNumberField(
        label=_("Phone"),
        region="GR",
        help_text=_("So that the organisations can reach you about your order."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            self.fields["email"].initial = user.email
            self.fields["name"].initial = user.get_full_name()
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"


class ShippingAddressForm(forms.Form):
    """Needed only when some organisation's part is shipped."""

    line1 = forms.CharField(label=_("Street and number"), max_length=255)
    line4 = forms.CharField(label=_("City or town"), max_length=255)
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{3}\s?\d{2}$",
        error_messages={"invalid": _("A Greek postcode has five digits, e.g. 71202.")},
    )
    notes = forms.CharField(
        label=_("Delivery instructions"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "line1": "street-address",
            "line4": "address-level2",
            "postcode": "postal-code",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value


def _money(amount):
    return f"{localize(amount)}\xa0€"


class PartForm(forms.Form):
    """Delivery and payment for one organisation's part of the basket."""

    delivery_method = forms.ChoiceField(label=_("Delivery"), widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the organisation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        delivery_choices = []
        for method, label, fee in group.delivery_options():
            if method == DeliveryMethod.NONE:
                delivery_choices.append((method, label))
            elif fee:
                delivery_choices.append((method, f"{label} ({_money(fee)})"))
            else:
                delivery_choices.append((method, f"{label} ({_('free')})"))
        self.fields["delivery_method"].choices = delivery_choices
        self.fields["payment_method"].choices = group.payment_methods()
        for name in ("delivery_method", "payment_method"):
            choices = self.fields[name].choices
            if len(choices) == 1:
                self.fields[name].initial = choices[0][0]
