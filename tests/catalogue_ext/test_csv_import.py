from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from oscar.core.loading import get_model

from catalogue_ext.csv_import import (
    MAX_ROWS,
    ImportFileError,
    import_products_csv,
    template_csv,
)
from tests.factories import OrganisationFactory, ProductClassFactory, create_offered_product

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

HEADER = "sku;title;description;product_class;category;price;stock;certifications;is_public\n"


@pytest.fixture
def organisation():
    ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    ProductClassFactory(name="Υπηρεσίες", kind="service", track_stock=False,
                        requires_shipping=False)  # fmt: skip
    return OrganisationFactory(name="Μελισσοκόμοι")


def upload(text, name="products.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_good_file_creates_products_then_updates_them(organisation):
    text = HEADER + (
        "MEL-1;Μέλι Θυμαρίσιο 450 g;Ανθόμελο;Τρόφιμα;Τρόφιμα > Μέλι;8,80;120;organic;ναι\n"
        "MEL-2;Μέλι Πεύκου 900 g;;τρόφιμα;;11.50;;organic, pdo;όχι\n"
    )

    report = import_products_csv(organisation=organisation, uploaded_file=upload(text))

    assert (report.created, report.updated, report.errors) == (2, 0, [])
    thyme = StockRecord.objects.get(partner=organisation, partner_sku="MEL-1")
    assert (thyme.product.title, thyme.price, thyme.num_in_stock) == (
        "Μέλι Θυμαρίσιο 450 g", Decimal("8.80"), 120,
    )  # fmt: skip
    assert thyme.product.is_public is True
    assert [c.code for c in thyme.product.certifications.all()] == ["organic"]
    assert [str(c.name) for c in thyme.product.get_categories()] == ["Μέλι"]
    pine = StockRecord.objects.get(partner_sku="MEL-2")
    assert pine.product.is_public is False
    assert pine.num_in_stock is None
    assert sorted(c.code for c in pine.product.certifications.all()) == ["organic", "pdo"]

    again = HEADER + "MEL-1;Μέλι Θυμαρίσιο 450 g;Ανθόμελο;Τρόφιμα;;9,20;80;;ναι\n"
    report = import_products_csv(organisation=organisation, uploaded_file=upload(again))

    assert (report.created, report.updated) == (0, 1)
    thyme.refresh_from_db()
    assert (thyme.price, thyme.num_in_stock) == (Decimal("9.20"), 80)
    assert Product.objects.count() == 2


def test_file_with_bad_rows_writes_nothing_and_reports_each_line(organisation):
    existing = create_offered_product(organisation=organisation, title="Παλιό", price=Decimal("5"))
    existing.stockrecords.update(partner_sku="OLD")
    text = HEADER + (
        "OLD;Παλιό;;Τρόφιμα;;7,00;1;;ναι\n"
        "A-1;Καλό;;Τρόφιμα;;3,00;5;;ναι\n"
        "A-2;Κακή τιμή;;Τρόφιμα;;δωρεάν;5;;ναι\n"
        "A-3;Κακή κλάση;;Έπιπλα;;1,00;-4;bio;ίσως\n"
        "A-1;Διπλό;;Τρόφιμα;;1,00;1;;ναι\n"
    )

    with translation.override("en"):
        report = import_products_csv(organisation=organisation, uploaded_file=upload(text))
        errors = [(line, str(message)) for line, message in report.errors]

    assert not report.ok
    assert errors == [
        (4, "The price “δωρεάν” is not a number."),
        (5, "Unknown product class “Έπιπλα”; use one of: Τρόφιμα, Υπηρεσίες."),
        (5, "The stock “-4” must be a whole number, 0 or more."),
        (5, "Unknown certifications: bio; use: organic, pdo, pgi, fair-trade, handmade."),
        (5, "“ίσως” must be yes or no."),
        (6, "This SKU appears twice in the file."),
    ]
    assert (report.created, report.updated) == (0, 0)
    assert Product.objects.count() == 1
    assert StockRecord.objects.get(partner_sku="OLD").price == Decimal("5.00")


def test_huge_file_is_rejected_before_reading(organisation):
    huge = upload(HEADER + "x" * (2 * 1024 * 1024 + 1))
    with (
        translation.override("en"),
        pytest.raises(ImportFileError, match="too large: at most 2 MB"),
    ):
        import_products_csv(organisation=organisation, uploaded_file=huge)
    assert Product.objects.count() == 0


def test_too_many_rows_are_rejected(organisation):
    rows = "".join(f"S{n};Π{n};;Τρόφιμα;;1;1;;ναι\n" for n in range(MAX_ROWS + 1))
    with translation.override("en"), pytest.raises(ImportFileError, match="more than 5000 rows"):
        import_products_csv(organisation=organisation, uploaded_file=upload(HEADER + rows))
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00b\x00i\x00n", "UTF-8"),
        ("title;price\nΜέλι;1\n".encode(), "Missing columns: product_class, sku."),
        ("sku;title;product_class;price;colour\nA;B;Τρόφιμα;1;red\n".encode(),
         "Unknown columns: colour."),
        (HEADER.encode(), "no rows to import"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused_with_a_reason(organisation, content, message):
    bad = SimpleUploadedFile("products.csv", content)
    with translation.override("en"), pytest.raises(ImportFileError, match=message):
        import_products_csv(organisation=organisation, uploaded_file=bad)


def test_comma_separated_files_work_too(organisation):
    text = 'sku,title,product_class,price\nC-1,"Μέλι, ανθόμελο",Τρόφιμα,"4,40"\n'
    report = import_products_csv(organisation=organisation, uploaded_file=upload(text))
    assert report.created == 1
    record = StockRecord.objects.get(partner_sku="C-1")
    assert (record.product.title, record.price) == ("Μέλι, ανθόμελο", Decimal("4.40"))


def test_the_downloadable_template_imports_cleanly(organisation):
    report = import_products_csv(organisation=organisation, uploaded_file=upload(template_csv()))
    assert (report.created, report.errors) == (2, [])
    tour = StockRecord.objects.get(partner_sku="TOUR-1").product
    assert tour.is_service
    assert tour.service_duration.total_seconds() == 3 * 3600
    assert (tour.service_location, tour.service_booking) == ("on_site", "bookable")


def test_same_sku_in_another_organisation_is_a_different_product(organisation):
    other = OrganisationFactory()
    text = HEADER + "MEL-1;Μέλι;;Τρόφιμα;;8,80;1;;ναι\n"
    import_products_csv(organisation=other, uploaded_file=upload(text))
    report = import_products_csv(organisation=organisation, uploaded_file=upload(text))
    assert (report.created, report.updated) == (1, 0)
    assert StockRecord.objects.filter(partner_sku="MEL-1").count() == 2
