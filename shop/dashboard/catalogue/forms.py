"""Dashboard product forms: a member's stock records belong to their own organisation,
and uploaded photos are checked."""

from django.core.files.uploadedfile import UploadedFile
from oscar.apps.dashboard.catalogue import forms as oscar_forms

from shop import access
from shop.uploads import clean_image_file


class StockRecordForm(oscar_forms.StockRecordForm):
    def __init__(self, product_class, user, *args, **kwargs):
        super().__init__(product_class, user, *args, **kwargs)
        if not access.is_platform_staff(user) and "partner" in self.fields:
            # Another organisation's id is refused as "not one of the available choices".
            organisations = access.organisations_of(user)
            self.fields["partner"].queryset = organisations
            if len(organisations) == 1:
                self.fields["partner"].initial = organisations[0]
                self.fields["partner"].empty_label = None


class ProductImageForm(oscar_forms.ProductImageForm):
    """Product photos are checked and re-encoded without their metadata (EXIF, GPS)."""

    def clean_original(self):
        image = self.cleaned_data.get("original")
        if isinstance(image, UploadedFile):
            return clean_image_file(image)
        return image
