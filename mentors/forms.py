from django import forms
from django.utils.translation import gettext_lazy as _

from shop.partner.models import Region


class SessionFilterForm(forms.Form):
    """The filters of the session list; all optional, a bad value is ignored."""

    def __init__(self, *args, themes, seminars, regions, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        region_names = dict(Region.choices)
        self.fields["theme"] = forms.ChoiceField(
            label=_("Theme"),
            required=False,
            choices=[("", _("All themes")), *[(theme.slug, theme.title) for theme in themes]],
        )
        self.fields["seminar"] = forms.ChoiceField(
            label=_("Seminar"),
            required=False,
            choices=[("", _("All seminars")), *[(s.slug, s.title) for s in seminars]],
        )
        self.fields["region"] = forms.ChoiceField(
            label=_("Region"),
            required=False,
            choices=[("", _("All regions")), *[(r, region_names.get(r, r)) for r in regions]],
        )
        self.fields["mentor"] = forms.ChoiceField(
            label=_("Mentor"),
            required=False,
            choices=[("", _("All mentors")), *[(m.slug, m.name) for m in mentors]],
        )

    def filters(self):
        """The valid filters' values (empty ones left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
