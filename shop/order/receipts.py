"""The receipt of one organisation's part of a purchase, as a page and as a PDF.

``receipt_context`` gathers what a receipt shows: the organisation's legal details and
ΑΦΜ, the receipt's number (sequential per organisation), the consumer, the lines with
their VAT rates, the delivery fee, the VAT by rate and the payment. The HTML template
(``shop/order/receipt.html``) and ``receipt_pdf`` print the same content.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from oscar.templatetags.currency_filters import currency

from shop.order.models import DeliveryMethod, OrderStatus, PaymentMethod
from shop.order.services import vat_breakdown

FONT_FAMILY = "DejaVuSans"


@dataclass(frozen=True)
class ReceiptLine:
    title: str
    sku: str
    quantity: int
    unit_price_incl_tax: Decimal
    vat_rate: str
    total_excl_tax: Decimal
    total_incl_tax: Decimal


@dataclass(frozen=True)
class VatRow:
    rate: str
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class ReceiptConsumer:
    name: str
    email: str
    phone: str


def _address_lines(address):
    if address is None:
        return []
    return [str(field) for field in address.active_address_fields()]


def _local_datetime(value):
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _payment_status(order):
    if order.is_paid:
        return _("Paid on %(date)s") % {"date": _local_datetime(order.paid_at)}
    if order.status == OrderStatus.CANCELLED:
        return _("Cancelled, not paid")
    if order.payment_method == PaymentMethod.CASH:
        return _("To be paid in cash on pickup or delivery")
    if order.payment_deadline:
        return _("Awaiting payment until %(date)s") % {
            "date": _local_datetime(order.payment_deadline)
        }
    return _("Awaiting payment")


def consumer_of(order):
    """Who bought the order: the purchase's contact, or the account of an older order."""
    purchase = order.purchase
    if purchase is not None:
        return ReceiptConsumer(purchase.name, purchase.email, purchase.phone)
    name = order.user.get_full_name() if order.user else ""
    return ReceiptConsumer(name, order.email, "")


def receipt_context(order):
    """Everything a receipt of ``order`` shows, for the page and the PDF alike."""
    organisation = order.organisation
    order_lines = list(order.lines.order_by("pk"))
    breakdown = [VatRow(*row) for row in vat_breakdown(order, order_lines)]
    lines = [
        ReceiptLine(
            title=line.title,
            sku=line.partner_sku,
            quantity=line.quantity,
            unit_price_incl_tax=line.unit_price_incl_tax,
            vat_rate=line.tax_code or "",
            total_excl_tax=line.line_price_excl_tax,
            total_incl_tax=line.line_price_incl_tax,
        )
        for line in order_lines
    ]
    unpaid_transfer = (
        order.payment_method == PaymentMethod.BANK_TRANSFER
        and not order.is_paid
        and order.status != OrderStatus.CANCELLED
        and organisation is not None
        and organisation.iban
    )
    return {
        "order": order,
        "organisation": organisation,
        "legal_form": organisation.get_legal_form_display() if organisation else "",
        "organisation_address": _address_lines(organisation.primary_address)
        if organisation
        else [],
        "organisation_phone": str(organisation.contact_phone or "") if organisation else "",
        "receipt_code": order.receipt_code or order.number,
        "date": timezone.localtime(order.date_placed),
        "consumer": consumer_of(order),
        "shipping_address": _address_lines(order.shipping_address)
        if order.delivery_method == DeliveryMethod.SHIPPING
        else [],
        "delivery_method": order.get_delivery_method_display() or order.shipping_method,
        "delivery_fee": order.shipping_incl_tax,
        "lines": lines,
        "vat_breakdown": breakdown,
        "total_excl_tax": sum((row.net for row in breakdown), Decimal("0.00")),
        "total_vat": sum((row.vat for row in breakdown), Decimal("0.00")),
        "total_incl_tax": sum((row.gross for row in breakdown), Decimal("0.00")),
        "payment_method": order.get_payment_method_display(),
        "payment_status": _payment_status(order),
        "status_label": order.status_label,
        "bank_transfer_iban": organisation.iban_display if unpaid_transfer else "",
        "payment_reference": order.payment_reference,
        "currency": order.currency,
    }


# PDF ---------------------------------------------------------------------------------


def _font_dir():
    return Path(settings.BASE_DIR) / "static" / "fonts"


class _ReceiptPDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-15)
        self.set_font(FONT_FAMILY, "", 7)
        self.set_text_color(90, 90, 90)
        self.multi_cell(self.epw - 15, 3.5, self.footer_text, align="L")
        self.set_xy(self.l_margin + self.epw - 15, -15)
        self.cell(15, 3.5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def receipt_pdf(order, context=None) -> bytes:
    """The receipt of ``order`` as an A4 PDF, in DejaVu Sans so that Greek prints."""
    ctx = context or receipt_context(order)
    organisation = ctx["organisation"]
    money = lambda value: currency(value, ctx["currency"])  # noqa: E731
    title = _("Receipt %(code)s") % {"code": ctx["receipt_code"]}

    pdf = _ReceiptPDF(format="A4")
    pdf.footer_text = _(
        "Order document of the Cooperative Society platform. The tax receipt or invoice "
        "required by law is issued by the organisation."
    )
    pdf.set_creation_date(ctx["date"])
    pdf.set_title(title)
    pdf.set_author(organisation.name if organisation else "")
    pdf.set_creator("Συνεργατική Κοινωνία")
    pdf.add_font(FONT_FAMILY, "", _font_dir() / "DejaVuSans.ttf")
    pdf.add_font(FONT_FAMILY, "B", _font_dir() / "DejaVuSans-Bold.ttf")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    def text(value, size=9, style="", height=4.8):
        pdf.set_font(FONT_FAMILY, style, size)
        pdf.multi_cell(0, height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(value):
        pdf.ln(3)
        text(value, size=11, style="B", height=6)

    # The organisation that issues the receipt.
    if organisation is not None:
        text(organisation.name, size=14, style="B", height=7)
        if ctx["legal_form"]:
            text(ctx["legal_form"])
        legal = [
            _("VAT number (ΑΦΜ): %(value)s") % {"value": organisation.vat_number or "-"},
            _("Tax office (ΔΟΥ): %(value)s") % {"value": organisation.tax_office or "-"},
        ]
        if organisation.gemi_number:
            legal.append(_("ΓΕΜΗ: %(value)s") % {"value": organisation.gemi_number})
        text(" · ".join(legal))
        if ctx["organisation_address"]:
            text(", ".join(ctx["organisation_address"]))
        contact = [
            value for value in (organisation.contact_email, ctx["organisation_phone"]) if value
        ]
        if contact:
            text(" · ".join(contact))

    pdf.ln(4)
    text(title, size=13, style="B", height=7)
    text(_("Date: %(date)s") % {"date": formats.date_format(ctx["date"], "SHORT_DATETIME_FORMAT")})
    text(_("Order: %(number)s") % {"number": ctx["order"].number})

    heading(_("Customer"))
    consumer = ctx["consumer"]
    text(consumer.name or "-")
    text(" · ".join(value for value in (consumer.email, consumer.phone) if value))
    text(_("Delivery: %(method)s") % {"method": ctx["delivery_method"] or "-"})
    if ctx["shipping_address"]:
        text(_("Ship to: %(address)s") % {"address": ", ".join(ctx["shipping_address"])})

    heading(_("Items"))
    pdf.set_font(FONT_FAMILY, "", 8.5)
    bold = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(78, 24, 26, 12, 12, 28),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=bold,
        line_height=5,
        padding=1,
    ) as table:
        row = table.row()
        for label in (
            _("Product"),
            _("SKU"),
            _("Unit price incl. VAT"),
            _("Qty"),
            _("VAT"),
            _("Total incl. VAT"),
        ):
            row.cell(label)
        for line in ctx["lines"]:
            row = table.row()
            row.cell(line.title)
            row.cell(line.sku or "-")
            row.cell(money(line.unit_price_incl_tax))
            row.cell(str(line.quantity))
            row.cell(f"{line.vat_rate}%")
            row.cell(money(line.total_incl_tax))
        row = table.row()
        row.cell(
            _("Delivery fee (%(method)s)") % {"method": ctx["delivery_method"] or "-"},
            colspan=5,
        )
        row.cell(money(ctx["delivery_fee"]))

    heading(_("VAT by rate"))
    pdf.set_font(FONT_FAMILY, "", 8.5)
    with pdf.table(
        col_widths=(42, 36, 36, 36),
        width=150,
        align="LEFT",
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=bold,
        line_height=5,
        padding=1,
    ) as table:
        row = table.row()
        for label in (_("VAT rate"), _("Net amount"), _("VAT"), _("Total")):
            row.cell(label)
        for vat_row in ctx["vat_breakdown"]:
            row = table.row()
            row.cell(f"{vat_row.rate}%")
            row.cell(money(vat_row.net))
            row.cell(money(vat_row.vat))
            row.cell(money(vat_row.gross))
        row = table.row(style=FontFace(emphasis="BOLD"))
        row.cell(_("Total"))
        row.cell(money(ctx["total_excl_tax"]))
        row.cell(money(ctx["total_vat"]))
        row.cell(money(ctx["total_incl_tax"]))

    pdf.ln(3)
    text(
        _("Total to pay: %(amount)s") % {"amount": money(ctx["total_incl_tax"])},
        size=12,
        style="B",
        height=7,
    )

    heading(_("Payment"))
    text(_("Method: %(method)s") % {"method": ctx["payment_method"] or "-"})
    text(_("Status: %(status)s") % {"status": ctx["payment_status"]})
    if ctx["bank_transfer_iban"]:
        text(
            _("Pay by bank transfer to IBAN %(iban)s, quoting %(reference)s.")
            % {"iban": ctx["bank_transfer_iban"], "reference": ctx["payment_reference"]}
        )
    text(_("Order status: %(status)s") % {"status": ctx["status_label"]})
    return bytes(pdf.output())
