"""Bulk listing: an organisation creates or updates many products from one CSV file.

Every row is checked before anything is written; one bad row and nothing is imported,
and the report says what is wrong on which line. Rows are matched to the organisation's
existing products by its own SKU, so a file can be uploaded again to update prices and
stock.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue_ext.models import ServiceBooking, ServiceLocation

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
Certification = get_model("catalogue", "Certification")
StockRecord = get_model("partner", "StockRecord")

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = [
    "sku",
    "title",
    "description",
    "product_class",
    "category",
    "price",
    "stock",
    "certifications",
    "is_public",
    "service_duration_minutes",
    "service_location",
    "service_area",
    "service_booking",
]
REQUIRED_COLUMNS = {"sku", "title", "product_class", "price"}
TRUE_WORDS = {"1", "yes", "true", "ναι", "ν", "y"}
FALSE_WORDS = {"0", "no", "false", "όχι", "οχι", "ο", "n"}
TEMPLATE_ROWS = [
    ["MEL-450", "Μέλι Θυμαρίσιο 450 g", "Ανθόμελο θυμαριού.", "Τρόφιμα",
     "Τρόφιμα > Μέλι και προϊόντα μέλισσας", "8,80", "120", "organic", "ναι", "", "", "", ""],
    ["TOUR-1", "Ξενάγηση στο μελισσοκομείο", "Τρεις ώρες με γευσιγνωσία.", "Υπηρεσίες",
     "Υπηρεσίες > Τουρισμός και ξεναγήσεις", "20,00", "12", "", "ναι", "180", "on_site",
     "Πολύγυρος, Χαλκιδική", "bookable"],
]  # fmt: skip


class ImportFileError(ValueError):
    """The file as a whole cannot be read: too big, not CSV, wrong columns."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # (line number, message)

    @property
    def ok(self):
        return not self.errors


def template_csv():
    """The CSV a member downloads to start from: the header and two example rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return "\ufeff" + buffer.getvalue()  # the BOM lets spreadsheet programs see UTF-8


def import_products_csv(*, organisation, uploaded_file):
    """Validate every row, then create or update all of them in one transaction."""
    rows = _read_rows(uploaded_file)
    report = ImportReport()
    product_classes = {pc.name.casefold(): pc for pc in ProductClass.objects.all()}
    certifications = {c.code: c for c in Certification.objects.all()}
    existing = {
        record.partner_sku: record
        for record in StockRecord.objects.filter(partner=organisation).select_related("product")
    }
    cleaned_rows = []
    seen_skus = set()
    for line_number, row in rows:
        try:
            cleaned = _clean_row(row, product_classes, certifications)
            if cleaned["sku"] in seen_skus:
                raise ValidationError(_("This SKU appears twice in the file."))
            seen_skus.add(cleaned["sku"])
        except ValidationError as error:
            report.errors.extend((line_number, message) for message in error.messages)
            continue
        cleaned_rows.append(cleaned)
    if report.errors:
        return report

    with transaction.atomic():
        for cleaned in cleaned_rows:
            record = existing.get(cleaned["sku"])
            _save_row(cleaned, organisation, record)
            if record is None:
                report.created += 1
            else:
                report.updated += 1
    return report


def _read_rows(uploaded_file):
    if uploaded_file.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large: at most %(limit)d MB.") % {"limit": MAX_FILE_BYTES >> 20}
        )
    raw = uploaded_file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file must be saved as UTF-8 text (CSV).")) from error
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,\t")
    except csv.Error as error:
        raise ImportFileError(_("The first line must hold the column names.")) from error
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {name.strip() for name in (reader.fieldnames or [])}
    missing = REQUIRED_COLUMNS - columns
    if missing:
        raise ImportFileError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
        )
    unknown = columns - set(COLUMNS)
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(columns)s.") % {"columns": ", ".join(sorted(unknown))}
        )
    rows = []
    for row in reader:
        if not any((value or "").strip() for value in row.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)d rows; split it into smaller files.")
                % {"limit": MAX_ROWS}
            )
        rows.append((reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()}))
    if not rows:
        raise ImportFileError(_("The file has no rows to import."))
    return rows


def _clean_row(row, product_classes, certifications):
    errors = []
    cleaned = {
        "sku": row.get("sku", ""),
        "title": row.get("title", ""),
        "description": row.get("description", ""),
        "category": row.get("category", ""),
        "service_area": row.get("service_area", "")[:200],
    }
    if not cleaned["sku"] or len(cleaned["sku"]) > 128:
        errors.append(_("The SKU is required (at most 128 characters)."))
    if not cleaned["title"] or len(cleaned["title"]) > 255:
        errors.append(_("The title is required (at most 255 characters)."))
    product_class = product_classes.get(row.get("product_class", "").casefold())
    if product_class is None:
        errors.append(
            _("Unknown product class “%(name)s”; use one of: %(names)s.")
            % {
                "name": row.get("product_class", ""),
                "names": ", ".join(sorted(pc.name for pc in product_classes.values())),
            }
        )
    cleaned["product_class"] = product_class
    cleaned["price"] = _decimal(row.get("price", ""), errors)
    cleaned["stock"] = _whole_number(row.get("stock", ""), _("stock"), errors)
    cleaned["duration"] = _whole_number(
        row.get("service_duration_minutes", ""), _("service duration"), errors
    )
    codes = [code.strip() for code in row.get("certifications", "").replace(";", ",").split(",")]
    unknown = [code for code in codes if code and code not in certifications]
    if unknown:
        errors.append(
            _("Unknown certifications: %(codes)s; use: %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(certifications)}
        )
    cleaned["certifications"] = [certifications[code] for code in codes if code in certifications]
    cleaned["is_public"] = _yes_no(row.get("is_public", ""), errors)
    cleaned["service_location"] = _choice(
        row.get("service_location", ""), ServiceLocation, _("service location"), errors
    )
    cleaned["service_booking"] = (
        _choice(row.get("service_booking", ""), ServiceBooking, _("booking"), errors)
        or ServiceBooking.BOOKABLE
    )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _decimal(value, errors):
    try:
        amount = Decimal(value.replace("€", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        errors.append(_("The price “%(value)s” is not a number.") % {"value": value})
        return None
    if amount < 0 or amount >= Decimal("1000000") or amount != amount.quantize(Decimal("0.01")):
        errors.append(_("The price must be between 0 and 999999.99 with at most two decimals."))
        return None
    return amount


def _whole_number(value, label, errors):
    if value == "":
        return None
    if not value.isdigit() or int(value) > 10**9:
        errors.append(
            _("The %(label)s “%(value)s” must be a whole number, 0 or more.")
            % {"label": label, "value": value}
        )
        return None
    return int(value)


def _yes_no(value, errors):
    word = value.casefold()
    if word in TRUE_WORDS or word == "":
        return True
    if word in FALSE_WORDS:
        return False
    errors.append(_("“%(value)s” must be yes or no.") % {"value": value})
    return True


def _choice(value, choices, label, errors):
    if value == "":
        return ""
    if value not in choices.values:
        errors.append(
            _("The %(label)s “%(value)s” must be one of: %(values)s.")
            % {"label": label, "value": value, "values": ", ".join(choices.values)}
        )
        return ""
    return value


def _save_row(cleaned, organisation, record):
    product = record.product if record else Product(structure=Product.STANDALONE)
    product.title = cleaned["title"]
    product.description = cleaned["description"]
    product.product_class = cleaned["product_class"]
    product.is_public = cleaned["is_public"]
    product.service_duration = (
        timedelta(minutes=cleaned["duration"]) if cleaned["duration"] else None
    )
    product.service_location = cleaned["service_location"]
    product.service_area = cleaned["service_area"]
    product.service_booking = cleaned["service_booking"]
    product.save()
    product.certifications.set(cleaned["certifications"])
    if cleaned["category"]:
        category = create_from_breadcrumbs(cleaned["category"])
        ProductCategory.objects.get_or_create(product=product, category=category)
    if record is None:
        record = StockRecord(product=product, partner=organisation, partner_sku=cleaned["sku"])
    record.price = cleaned["price"]
    record.price_currency = "EUR"
    record.num_in_stock = cleaned["stock"]
    record.save()


# Column names shown to people next to their meaning, for the upload page.
COLUMN_HELP = {
    "sku": gettext_lazy("your own code for the product; the same code updates it"),
    "title": gettext_lazy("name of the product or service"),
    "description": gettext_lazy("optional description"),
    "product_class": gettext_lazy("one of the platform's product classes (sets the VAT)"),
    "category": gettext_lazy("optional, e.g. “Τρόφιμα > Μέλι και προϊόντα μέλισσας”"),
    "price": gettext_lazy("price without VAT, e.g. 8,80"),
    "stock": gettext_lazy("pieces in stock or places; empty for unlimited"),
    "certifications": gettext_lazy("optional codes: organic, pdo, pgi, fair-trade, handmade"),
    "is_public": gettext_lazy("yes or no (default yes)"),
    "service_duration_minutes": gettext_lazy("services: duration in minutes"),
    "service_location": gettext_lazy("services: at_organisation, at_customer, online, on_site"),
    "service_area": gettext_lazy("services: where it is offered"),
    "service_booking": gettext_lazy("services: bookable or quote"),
}
