"""Receipts of the social market: numbered per organisation, with the organisation's
ΑΦΜ and the VAT by rate, as a page and a PDF, reached by the consumer only with the
purchase's secret token."""

import io
from decimal import Decimal
from functools import partial

import pytest
from django.urls import reverse
from oscar.templatetags.currency_filters import currency
from pypdf import PdfReader

from shop.order.models import DeliveryMethod, OrderStatus, PaymentMethod
from shop.order.receipts import receipt_context, receipt_pdf
from shop.order.services import Consumer, PartChoice, change_status, vat_breakdown
from tests.factories import UserFactory
from tests.factories.market import (
    VALID_IBAN,
    buy,
    product_of,
    selling_organisation,
    shipping_address,
)

pytestmark = pytest.mark.django_db

product = partial(product_of, stock=10)


def organisation(name, vat_number, **fields):
    return selling_organisation(
        name,
        vat_number=vat_number,
        tax_office="ΔΟΥ Ηρακλείου",
        gemi_number="123456789000",
        contact_email="info@coop.gr",
        iban=VALID_IBAN,
        address=("Λεωφόρος Κνωσού 12", "Ηράκλειο", "71306"),
        **fields,
    )


@pytest.fixture
def two_organisations():
    return (
        organisation("Μελισσοκομικός Συνεταιρισμός Κρήτης", "094014201"),
        organisation("ΚοινΣΕπ Σαπούνια", "090000045"),
    )


def buy_from(organisations):
    items = [(product(org, f"Προϊόν {org.pk}", "10.00"), 1) for org in organisations]
    choices = {org.pk: PartChoice("pickup", "bank_transfer") for org in organisations}
    return buy(items, choices)


def test_receipt_numbers_are_sequential_per_organisation(two_organisations):
    honey, soap = two_organisations
    other = organisation("Άλλος Οργανισμός", "099999999")
    buy_from([other])  # another organisation's numbers do not move theirs

    first = buy_from([honey, soap])
    second = buy_from([honey, soap])

    numbers = {
        (order.organisation_id, purchase): order.receipt_number
        for purchase, placed in (("first", first), ("second", second))
        for order in placed.orders.all()
    }
    assert numbers == {
        (honey.pk, "first"): 1,
        (soap.pk, "first"): 1,
        (honey.pk, "second"): 2,
        (soap.pk, "second"): 2,
    }
    order = second.orders.get(organisation=honey)
    assert order.receipt_code == f"{order.date_placed:%Y}-000002"


@pytest.fixture
def three_rate_order():
    """One organisation's order: 2 × 12,40 € at 24%, 3 × 5,65 € at 13%, 1 × 7,95 € at 6%,
    shipped for 4,96 € (VAT 24% included)."""
    coop = organisation("Αγροτικός Συνεταιρισμός Πεζών", "094014201", shipping_fees=[("0", "4.96")])
    purchase = buy(
        [
            (product(coop, "Κεραμική κούπα", "10.00", vat="standard"), 2),
            (product(coop, "Θυμαρίσιο μέλι", "5.00", vat="reduced"), 3),
            (product(coop, "Βιβλίο συνταγών", "7.50", vat="super_reduced"), 1),
        ],
        {coop.pk: PartChoice("shipping", "bank_transfer")},
        address=shipping_address(phone_number="+302101234567"),
    )
    return purchase.orders.get()


def test_vat_breakdown_by_rate_with_delivery_fee(three_rate_order):
    order = three_rate_order

    assert vat_breakdown(order) == [
        ("24", Decimal("24.00"), Decimal("5.76"), Decimal("29.76")),
        ("13", Decimal("15.00"), Decimal("1.95"), Decimal("16.95")),
        ("6", Decimal("7.50"), Decimal("0.45"), Decimal("7.95")),
    ]
    ctx = receipt_context(order)
    assert (ctx["total_excl_tax"], ctx["total_vat"], ctx["total_incl_tax"]) == (
        Decimal("46.50"),
        Decimal("8.16"),
        Decimal("54.66"),
    )
    assert ctx["total_incl_tax"] == order.total_incl_tax
    assert ctx["delivery_fee"] == Decimal("4.96")
    assert [(line.title, line.quantity, line.vat_rate) for line in ctx["lines"]] == [
        ("Κεραμική κούπα", 2, "24"),
        ("Θυμαρίσιο μέλι", 3, "13"),
        ("Βιβλίο συνταγών", 1, "6"),
    ]


def test_receipt_page_shows_legal_details_and_vat_by_rate(client, three_rate_order):
    order = three_rate_order
    url = reverse(
        "checkout:receipt", kwargs={"token": order.purchase.token, "number": order.number}
    )

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Αγροτικός Συνεταιρισμός Πεζών",
        "094014201",
        "ΔΟΥ Ηρακλείου",
        "123456789000",
        "Λεωφόρος Κνωσού 12",
        order.receipt_code,
        "Μαρία Παπαδοπούλου",
        "maria@example.org",
        "6912345678",
        "Ερμού 10",
        "Κεραμική κούπα",
        "24%",
        "13%",
        "6%",
    ):
        assert text in content, text
    for amount in (
        # 24%: net, VAT, gross; 13%; 6%; delivery fee; totals
        "24.00", "5.76", "29.76", "15.00", "1.95", "16.95", "7.50", "0.45", "7.95",
        "4.96", "46.50", "8.16", "54.66", "12.40", "5.65",
    ):  # fmt: skip
        assert currency(Decimal(amount), "EUR") in content, amount
    assert (
        'href="{}"'.format(
            reverse(
                "checkout:receipt-pdf",
                kwargs={"token": order.purchase.token, "number": order.number},
            )
        )
        in content
    )
    assert "<caption>" in content and 'scope="col"' in content


def test_receipt_pdf_holds_the_receipt_code_and_greek_text(client, three_rate_order):
    order = three_rate_order
    url = reverse(
        "checkout:receipt-pdf", kwargs={"token": order.purchase.token, "number": order.number}
    )

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{order.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    # Text extraction turns the no-break space before "€" into a plain one.
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    for expected in (
        order.receipt_code,
        "Αγροτικός Συνεταιρισμός Πεζών",
        "094014201",
        "Κεραμική κούπα",
        currency(Decimal("54.66"), "EUR"),
        currency(Decimal("5.76"), "EUR"),
    ):
        assert expected.replace("\xa0", " ") in text, expected


def test_receipt_pdf_function_is_a4(three_rate_order):
    content = receipt_pdf(three_rate_order)

    assert content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(content)).pages) == 1


def test_consumer_receipt_needs_the_purchase_token(client, two_organisations):
    purchase = buy_from(two_organisations)
    other_purchase = buy_from(two_organisations)
    order = purchase.orders.first()
    other_order = other_purchase.orders.first()

    wrong_token = client.get(
        reverse("checkout:receipt", kwargs={"token": "not-the-token", "number": order.number})
    )
    wrong_token_pdf = client.get(
        reverse("checkout:receipt-pdf", kwargs={"token": "not-the-token", "number": order.number})
    )
    other_order_page = client.get(
        reverse("checkout:receipt", kwargs={"token": purchase.token, "number": other_order.number})
    )
    other_order_pdf = client.get(
        reverse(
            "checkout:receipt-pdf", kwargs={"token": purchase.token, "number": other_order.number}
        )
    )
    right = client.get(
        reverse("checkout:receipt", kwargs={"token": purchase.token, "number": order.number})
    )

    assert wrong_token.status_code == 404
    assert wrong_token_pdf.status_code == 404
    assert other_order_page.status_code == 404
    assert other_order_pdf.status_code == 404
    assert right.status_code == 200
    assert order.receipt_code in right.content.decode()


def test_consumer_account_shows_each_part_with_status_and_receipt(client, two_organisations):
    honey, soap = two_organisations
    user = UserFactory(email="maria@example.org")
    items = [(product(org, f"Προϊόν {org.name}", "10.00"), 1) for org in (honey, soap)]
    purchase = buy(
        items,
        {honey.pk: PartChoice("pickup", "bank_transfer"), soap.pk: PartChoice("pickup", "cash")},
        consumer=Consumer(email=user.email, name="Μαρία Παπαδοπούλου", user=user),
    )
    honey_order = purchase.orders.get(organisation=honey)
    change_status(honey_order, OrderStatus.CONFIRMED)
    client.force_login(user)

    listing = client.get(reverse("customer:order-list")).content.decode()
    detail = client.get(
        reverse("customer:order", kwargs={"order_number": honey_order.number})
    ).content.decode()

    for order in purchase.orders.all():
        assert order.number in listing
    for text in (honey.name, soap.name, str(OrderStatus.CONFIRMED.label), purchase.number):
        assert text in listing, text
    assert purchase.get_absolute_url() in listing
    for text in (
        honey.name,
        str(OrderStatus.CONFIRMED.label),
        honey_order.receipt_code,
        str(PaymentMethod.BANK_TRANSFER.label),
        str(DeliveryMethod.PICKUP.label),
        purchase.get_absolute_url(),
        reverse("checkout:receipt", kwargs={"token": purchase.token, "number": honey_order.number}),
        reverse(
            "checkout:receipt-pdf", kwargs={"token": purchase.token, "number": honey_order.number}
        ),
        "Λεωφόρος Κνωσού 12",  # where to pick it up
    ):
        assert text in detail, text
    assert soap.name not in detail
