from decimal import Decimal

import pytest
from django.apps import apps

from tests.factories import ProductClassFactory

pytestmark = pytest.mark.django_db


def test_catalogue_and_partner_are_the_forked_apps():
    assert apps.get_app_config("catalogue").name == "catalogue_ext"
    assert apps.get_app_config("partner").name == "shop.partner"
    assert apps.get_model("catalogue", "ProductClass").__module__ == "catalogue_ext.models"
    assert apps.get_model("partner", "Partner").__module__ == "shop.partner.models"


@pytest.mark.parametrize(
    ("vat_rate", "percentage"),
    [("standard", Decimal("0.24")), ("reduced", Decimal("0.13")),
     ("super_reduced", Decimal("0.06"))],
)  # fmt: skip
def test_product_class_vat_percentage(vat_rate, percentage):
    assert ProductClassFactory(name=vat_rate, vat_rate=vat_rate).vat_percentage == percentage


def test_product_class_defaults_to_the_standard_rate():
    product_class = apps.get_model("catalogue", "ProductClass").objects.create(name="Χειροτεχνία")
    assert product_class.vat_rate == "standard"
    assert product_class.slug == "cheirotechnia"
