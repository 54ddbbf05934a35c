from django import forms
from django.utils.translation import gettext_lazy as _


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 text, columns separated by “;” or “,”, at most 2 MB and 5000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
