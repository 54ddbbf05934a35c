"""The stock records a member edits are those of their own organisations, and every
stock record they save belongs to one of them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import formsets as oscar_formsets
from oscar.core.loading import get_model

from shop import access

StockRecord = get_model("partner", "StockRecord")


class StockRecordFormSet(oscar_formsets.StockRecordFormSet):
    def __init__(self, product_class, user, *args, **kwargs):
        if not access.is_platform_staff(user) and "queryset" not in kwargs:
            kwargs["queryset"] = StockRecord.objects.filter(
                product=kwargs.get("instance"),
                partner__in=access.organisations_of(user).values("pk"),
            )
        super().__init__(product_class, user, *args, **kwargs)

    def clean(self):
        super().clean()
        if any(self.errors) or access.is_platform_staff(self.user):
            return
        organisations = set(access.organisations_of(self.user))
        kept = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            partner = data.get("partner")
            if partner is not None and partner not in organisations:
                raise ValidationError(_("A stock record can only belong to your own organisation."))
            if partner is not None and not data.get("DELETE"):
                kept += 1
        if kept == 0 and self.instance.pk and self.instance.stockrecords.exists():
            # Every product belongs to one organisation, through its one stock record.
            raise ValidationError(
                _("A product keeps its organisation's stock record; delete the product instead.")
            )
