"""E-mails of the social market: the consumer's confirmation with every part, each
organisation's notice with only its own order, and the status e-mails."""

from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from smtplib import SMTPException

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.order import notifications, stripe_payments
from shop.order.models import DeliveryMethod, OrderStatus, PaymentMethod
from shop.order.services import PartChoice, change_status, mark_paid, place_purchase
from tests.factories import UserFactory, create_member
from tests.factories.market import (
    MARIA,
    VALID_IBAN,
    basket_with,
    product_of,
    selling_organisation,
    shipping_address,
)
from tests.shop.stripe_double import stripe_configured

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")

IBAN_DISPLAY = "GR16 0110 1250 0000 0001 2300 695"

product = partial(product_of, stock=10)


def organisation(name, **fields):
    fields.setdefault("contact_email", f"{fields.get('code', name.split()[-1]).lower()}@coop.gr")
    return selling_organisation(name, is_verified=True, **fields)


def place(capture, basket, choices, *, language="el", address=None, **consumer):
    with capture(execute=True):
        return place_purchase(
            basket, replace(MARIA, language=language, **consumer), choices, address_fields=address
        )


def sent_to(address):
    found = [message for message in mail.outbox if message.to == [address]]
    assert len(found) == 1, [message.to for message in mail.outbox]
    return found[0]


@pytest.fixture
def three_organisations():
    """Honey (pickup, cash), soap (bank transfer, English e-mails) and oil (shipped)."""
    honey_coop = organisation(
        "Μελισσοκομικός Συνεταιρισμός Κρήτης",
        code="meli",
        contact_phone="+302810123456",
        pickup_instructions="Δευτέρα–Παρασκευή 9:00–14:00",
        address=("Λεωφόρος Κνωσού 12", "Ηράκλειο", "71306"),
    )
    soap_coop = organisation(
        "Σαπωνοποιία Λέσβου",
        code="sapouni",
        language="en",
        iban=VALID_IBAN,
        address=("Πλατεία Σαπφούς 3", "Μυτιλήνη", "81100"),
    )
    oil_coop = organisation(
        "Ελαιουργικός Συνεταιρισμός Μάνης",
        code="elaio",
        shipping_fees=[("0", "4.50")],
        address=("Αρεόπολη", "Μάνη", "23062"),
    )
    return {
        "honey": (honey_coop, product(honey_coop, "Μέλι θυμαρίσιο 450 g", "10.00")),
        "soap": (soap_coop, product(soap_coop, "Σαπούνι ελαιολάδου", "5.00", vat="standard")),
        "oil": (oil_coop, product(oil_coop, "Ελαιόλαδο 1 λίτρο", "12.00")),
    }


def place_three(capture, three_organisations, **kwargs):
    honey_coop, honey = three_organisations["honey"]
    soap_coop, soap = three_organisations["soap"]
    oil_coop, oil = three_organisations["oil"]
    basket = basket_with((honey, 2), (soap, 3), (oil, 1))
    choices = {
        honey_coop.pk: PartChoice("pickup", "cash"),
        soap_coop.pk: PartChoice("pickup", "bank_transfer", note="Χωρίς άρωμα, παρακαλώ"),
        oil_coop.pk: PartChoice("shipping", "cash"),
    }
    return place(
        capture, basket, choices, address=shipping_address(phone_number="+302101234567"), **kwargs
    )


def orders_of(purchase):
    return {
        order.organisation.code: order for order in purchase.orders.select_related("organisation")
    }


# The consumer's confirmation and the organisations' notices ----------------------------


def test_placing_a_purchase_emails_the_consumer_and_each_organisation_once(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "elaio@coop.gr",
        "maria@example.org",
        "meli@coop.gr",
        "sapouni@coop.gr",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert all(message.from_email == settings.DEFAULT_FROM_EMAIL for message in mail.outbox)
    confirmation = sent_to("maria@example.org")
    assert confirmation.subject == f"Η αγορά σας {purchase.number} στην κοινωνική αγορά"


def test_each_organisations_email_holds_only_its_own_lines(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)
    orders = orders_of(purchase)
    titles = {
        "meli": "Μέλι θυμαρίσιο 450 g",
        "sapouni": "Σαπούνι ελαιολάδου",
        "elaio": "Ελαιόλαδο 1 λίτρο",
    }
    names = {code: orders[code].organisation.name for code in titles}

    for code in titles:
        notice = sent_to(f"{code}@coop.gr")
        order = orders[code]
        assert order.number in notice.subject
        assert order.number in notice.body
        assert order.receipt_code in notice.body
        assert titles[code] in notice.body
        for other in titles.keys() - {code}:
            assert titles[other] not in notice.body
            assert names[other] not in notice.body
            assert orders[other].number not in notice.body
        # The consumer's contact and the dashboard link.
        assert "Μαρία Παπαδοπούλου" in notice.body
        assert "maria@example.org" in notice.body
        assert "6912345678" in notice.body
        assert (
            f"{settings.SITE_URL}/dashboard/orders/{order.number}/" in notice.body
            or f"{settings.SITE_URL}/en/dashboard/orders/{order.number}/" in notice.body
        )
        # Never the purchase's total or its secret link.
        assert purchase.token not in notice.body


def test_organisation_notice_is_in_the_organisations_language(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)
    soap_order = orders_of(purchase)["sapouni"]

    notice = sent_to("sapouni@coop.gr")
    assert notice.subject == f"New order {soap_order.number} from Μαρία Παπαδοπούλου"
    body = notice.body
    # 3 × 5.00 + 24% VAT = 18.60, in English format.
    assert "3 × Σαπούνι ελαιολάδου: €18.60\n" in body
    assert "Delivery: Pickup from the organisation\n" in body
    assert "Total: €18.60\n" in body
    assert "Payment: Bank transfer\n" in body
    assert (
        f"The customer has been asked to transfer €18.60 to your IBAN {IBAN_DISPLAY}, "
        f"quoting “{soap_order.number}”, by " in body
    )
    assert "Note from the customer:\nΧωρίς άρωμα, παρακαλώ\n" in body
    assert f"{settings.SITE_URL}/en/dashboard/orders/{soap_order.number}/" in body
    assert "Παραγγελία" not in body

    greek_notice = sent_to("meli@coop.gr")
    assert greek_notice.subject.startswith("Νέα παραγγελία ")
    assert "2 × Μέλι θυμαρίσιο 450 g: 22,60 €\n" in greek_notice.body
    assert "Σύνολο: 22,60 €\n" in greek_notice.body
    assert "Total" not in greek_notice.body


def test_shipped_order_notice_holds_the_shipping_address_and_fee(
    django_capture_on_commit_callbacks, three_organisations
):
    place_three(django_capture_on_commit_callbacks, three_organisations)

    body = sent_to("elaio@coop.gr").body
    # 12.00 + 13% VAT = 13.56, and the 4.50 shipping fee.
    assert "1 × Ελαιόλαδο 1 λίτρο: 13,56 €\n" in body
    assert "Υποσύνολο: 13,56 €\n" in body
    assert "Σύνολο: 18,06 €\n" in body
    assert "  Μαρία Παπαδοπούλου\n  Ερμού 10\n  10563 Αθήνα\n  Ελλάδα\n" in body
    assert "Ο πελάτης πληρώνει 18,06 € σε μετρητά κατά την παράδοση." in body


def test_organisation_without_contact_email_is_told_through_its_members(
    django_capture_on_commit_callbacks,
):
    coop = organisation("Αγρόκτημα Μελισσών", contact_email="")
    first = create_member(coop, email="first@coop.gr")
    create_member(coop, email="second@coop.gr")
    create_member(coop, email="away@coop.gr", is_active=False)
    UserFactory(email="stranger@example.org")
    honey = product(coop, "Μέλι ανθέων", "8.00")
    place(
        django_capture_on_commit_callbacks,
        basket_with((honey, 1)),
        {coop.pk: PartChoice("pickup", "cash")},
    )

    notices = [message for message in mail.outbox if message.to != ["maria@example.org"]]
    assert len(notices) == 1
    assert notices[0].to == [first.email, "second@coop.gr"]


def test_consumer_confirmation_holds_every_part_with_its_payment_and_contact(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)
    orders = orders_of(purchase)
    body = sent_to("maria@example.org").body

    assert body.startswith("Γεια σας Μαρία Παπαδοπούλου,\n")
    # Every part: its organisation, number, lines and totals.
    for code in ("meli", "sapouni", "elaio"):
        assert f"{orders[code].organisation.name} – παραγγελία {orders[code].number}\n" in body
    assert "2 × Μέλι θυμαρίσιο 450 g: 22,60 €\n" in body
    assert "3 × Σαπούνι ελαιολάδου: 18,60 €\n" in body
    assert "1 × Ελαιόλαδο 1 λίτρο: 13,56 €\n" in body
    assert f"Παράδοση: {DeliveryMethod.SHIPPING.label} (4,50 €)\n" in body
    assert "Σύνολο: 18,06 €\n" in body
    assert "Σύνολο της αγοράς σας: 59,26 €\n" in body
    # Cash parts say when to pay.
    assert "Πληρώστε 22,60 € σε μετρητά όταν παραλάβετε την παραγγελία." in body
    assert "Πληρώστε 18,06 € σε μετρητά κατά την παράδοση." in body
    # Contacts: e-mail, phone, pickup address and instructions.
    assert "  E-mail: meli@coop.gr\n" in body
    assert "  Τηλέφωνο: +30 281 012 3456\n" in body
    assert "  Διεύθυνση παραλαβής: Λεωφόρος Κνωσού 12, 71306 Ηράκλειο\n" in body
    assert "  Οδηγίες παραλαβής: Δευτέρα–Παρασκευή 9:00–14:00\n" in body
    assert "  Διεύθυνση: Αρεόπολη, 23062 Μάνη\n" in body
    assert "Η σημείωσή σας προς τον φορέα: Χωρίς άρωμα, παρακαλώ\n" in body
    # The page to follow the purchase, by its secret link.
    assert f"{settings.SITE_URL}/market/checkout/purchases/{purchase.token}/\n" in body
    # No English left in the Greek e-mail.
    assert "Total" not in body
    assert "Payment" not in body


def test_consumer_confirmation_gives_the_bank_transfer_details(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)
    soap_order = orders_of(purchase)["sapouni"]
    body = sent_to("maria@example.org").body

    assert f"Πληρωμή: {PaymentMethod.BANK_TRANSFER.label}\n" in body
    assert "  Δικαιούχος: Σαπωνοποιία Λέσβου\n" in body
    assert f"  IBAN: {IBAN_DISPLAY}\n" in body
    assert "  Ποσό: 18,60 €\n" in body
    assert f"  Αιτιολογία κατάθεσης: {soap_order.number}\n" in body
    # Only the bank-transfer part has an IBAN.
    assert body.count("IBAN") == 1


def test_pay_by_date_is_in_greece_time(django_capture_on_commit_callbacks, three_organisations):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)
    soap_order = orders_of(purchase)["sapouni"]
    Order.objects.filter(pk=soap_order.pk).update(
        payment_deadline=datetime(2030, 1, 15, 21, 30, tzinfo=UTC)
    )
    mail.outbox.clear()

    assert notifications.send_purchase_confirmation(purchase.pk) == 1
    assert notifications.send_organisation_order_notice(soap_order.pk) == 1

    consumer, organisation_notice = mail.outbox
    # 21:30 UTC in winter is 23:30 in Athens.
    assert "  Πληρωμή έως: Τρίτη 15 Ιανουαρίου 2030, 23:30 (ώρα Ελλάδας)\n" in consumer.body
    assert "by Tuesday 15 January 2030, 23:30 (Greece time)." in organisation_notice.body


def test_english_consumer_gets_an_english_confirmation(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations, language="en")
    message = sent_to("maria@example.org")

    assert message.subject == f"Your purchase {purchase.number} in the social market"
    assert "  Amount: €18.60\n" in message.body
    assert "Total of your purchase: €59.26\n" in message.body
    assert f"{settings.SITE_URL}/en/market/checkout/purchases/{purchase.token}/\n" in message.body


def test_card_part_links_to_the_payment_page(django_capture_on_commit_callbacks, settings):
    settings.STRIPE_ENABLED = True
    coop = organisation(
        "Κοινσέπ Ξενάγησης",
        stripe_account="acct_123",
    )
    tour = product(coop, "Ξενάγηση στην Παλιά Πόλη", "20.00")
    purchase = place(
        django_capture_on_commit_callbacks,
        basket_with((tour, 1)),
        {coop.pk: PartChoice("pickup", "card")},
    )

    body = sent_to("maria@example.org").body
    assert f"Πληρωμή: {PaymentMethod.CARD.label}\n" in body
    assert (
        "Πληρώστε 22,60 € με κάρτα σε αυτή τη σελίδα:\n"
        f"  {settings.SITE_URL}/market/checkout/purchases/{purchase.token}/pay/\n"
    ) in body
    assert "IBAN" not in body

    # Once paid, the link is gone.
    order = purchase.orders.get()
    mark_paid(order)
    mail.outbox.clear()
    notifications.send_purchase_confirmation(purchase.pk)
    assert "/pay/" not in mail.outbox[0].body
    assert "Πληρώθηκε – σας ευχαριστούμε." in mail.outbox[0].body


def test_names_are_not_html_escaped(django_capture_on_commit_callbacks):
    coop = organisation('Ο Κήπος & τα "Μέλια"', code="kipos")
    honey = product(coop, "Μέλι <ανθέων>", "8.00")
    place(
        django_capture_on_commit_callbacks,
        basket_with((honey, 1)),
        {coop.pk: PartChoice("pickup", "cash")},
        name="Ντ'Αρτανιάν",
    )

    for message in mail.outbox:
        assert "&amp;" not in message.body + message.subject
        assert "&#x27;" not in message.body + message.subject
    assert "Ντ'Αρτανιάν" in sent_to("kipos@coop.gr").subject
    assert "1 × Μέλι <ανθέων>: 9,04 €" in sent_to("maria@example.org").body
    assert 'Ο Κήπος & τα "Μέλια"' in sent_to("maria@example.org").body


def test_confirmation_queries_do_not_grow_with_parts_and_lines(
    django_capture_on_commit_callbacks,
):
    def queries_for(organisations, lines_each):
        basket = basket_with()
        choices = {}
        for index in range(organisations):
            coop = organisation(
                f"Συνεταιρισμός {organisations}-{index}",
                code=f"coop-{organisations}-{index}",
                address=("Οδός 1", "Πόλη", "10000"),
            )
            for number in range(lines_each):
                basket.add_product(product(coop, f"Προϊόν {index}-{number}", "3.00"), 1)
            choices[coop.pk] = PartChoice("pickup", "cash")
        purchase = place(django_capture_on_commit_callbacks, basket, choices)
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as captured:
            assert notifications.send_purchase_confirmation(purchase.pk) == 1
        order_ids = list(purchase.orders.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as notice:
            assert notifications.send_organisation_order_notice(order_ids[-1]) == 1
        return len(captured), len(notice)

    assert queries_for(1, 1) == queries_for(3, 4)


# Status e-mails -----------------------------------------------------------------------


def placed_order(capture, three_organisations, code):
    """The purchase from the three organisations, the order of the one with ``code``
    and a member of that organisation; the e-mails of the purchase are cleared."""
    purchase = place_three(capture, three_organisations)
    order = orders_of(purchase)[code]
    member = create_member(order.organisation)
    mail.outbox.clear()
    return purchase, order, member


def test_status_change_emails_the_consumer_once(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase, honey_order, member = placed_order(
        django_capture_on_commit_callbacks, three_organisations, "meli"
    )

    with django_capture_on_commit_callbacks(execute=True):
        change_status(honey_order, "ready_for_pickup", user=member)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria@example.org"]
    assert message.subject == (
        f"Παραγγελία {honey_order.number} – Μελισσοκομικός Συνεταιρισμός Κρήτης: "
        f"{OrderStatus.READY_FOR_PICKUP.label}"
    )
    body = message.body
    assert "Διεύθυνση παραλαβής: Λεωφόρος Κνωσού 12, 71306 Ηράκλειο\n" in body
    assert "Οδηγίες παραλαβής: Δευτέρα–Παρασκευή 9:00–14:00\n" in body
    assert "Παρακαλούμε φέρτε 22,60 € σε μετρητά." in body
    assert "2 × Μέλι θυμαρίσιο 450 g: 22,60 €\n" in body
    assert "Σαπούνι" not in body
    assert f"{settings.SITE_URL}/market/checkout/purchases/{purchase.token}/\n" in body

    # The same status again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        change_status(honey_order, "ready_for_pickup", user=member)
    assert len(mail.outbox) == 1


def test_confirming_an_unpaid_bank_transfer_repeats_how_to_pay(
    django_capture_on_commit_callbacks, three_organisations
):
    _purchase, soap_order, member = placed_order(
        django_capture_on_commit_callbacks, three_organisations, "sapouni"
    )

    with django_capture_on_commit_callbacks(execute=True):
        change_status(soap_order, "confirmed", user=member)

    (confirmed,) = mail.outbox
    assert confirmed.to == ["maria@example.org"]
    assert "Ο φορέας επιβεβαίωσε την παραγγελία σας και την ετοιμάζει.\n" in confirmed.body
    assert f"  IBAN: {IBAN_DISPLAY}\n" in confirmed.body
    assert f"  Αιτιολογία κατάθεσης: {soap_order.number}\n" in confirmed.body
    assert "  Ποσό: 18,60 €\n" in confirmed.body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(soap_order, user=member)

    (paid,) = mail.outbox
    assert paid.subject.endswith(f": {OrderStatus.PAID.label}")
    assert "Ο φορέας έλαβε την πληρωμή σας, 18,60 €. Σας ευχαριστούμε!\n" in paid.body
    assert "IBAN" not in paid.body


def test_shipped_status_email_names_the_address(
    django_capture_on_commit_callbacks, three_organisations
):
    _purchase, oil_order, member = placed_order(
        django_capture_on_commit_callbacks, three_organisations, "elaio"
    )

    with django_capture_on_commit_callbacks(execute=True):
        change_status(oil_order, "shipped", user=member)

    (message,) = mail.outbox
    assert message.subject.endswith(f": {OrderStatus.SHIPPED.label}")
    assert "Η παραγγελία σας είναι καθ' οδόν προς:\n  Μαρία Παπαδοπούλου\n  Ερμού 10\n" in (
        message.body
    )


@pytest.fixture
def stripe_api(settings):
    """Stripe's API served by the local double (tests/shop/stripe_double.py)."""
    with stripe_configured(settings) as double:
        yield double


REFUNDED_TO_CARD = {
    "en": (
        "Order {number} from Soap Workshop: Cancelled",
        "€12.40 has been refunded to your card. Banks usually take 5 to 10 working days "
        "to show a refund on your statement.",
    ),
    "el": (
        "Παραγγελία {number} – Soap Workshop: Ακυρώθηκε",
        "Επιστράφηκαν 12,40 € στην κάρτα σας. Οι τράπεζες χρειάζονται συνήθως 5 έως 10 "
        "εργάσιμες ημέρες για να εμφανιστεί μια επιστροφή στην κίνηση του λογαριασμού σας.",
    ),
}


@pytest.mark.parametrize("language", ["en", "el"])
def test_cancelled_paid_card_order_says_the_amount_was_refunded_to_the_card(
    django_capture_on_commit_callbacks, stripe_api, language
):
    coop = organisation("Soap Workshop", code="workshop", stripe_account="acct_123")
    soap = product(coop, "Olive oil soap", "5.00", vat="standard")
    purchase = place(
        django_capture_on_commit_callbacks,
        basket_with((soap, 2)),
        {coop.pk: PartChoice("pickup", "card")},
        language=language,
    )
    stripe_payments.start_card_payment(purchase)
    purchase.refresh_from_db()
    stripe_api.succeed_payment_intent(purchase.stripe_payment_intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        stripe_payments.sync_card_payment(purchase)
    order = purchase.orders.get()
    assert order.status == OrderStatus.PAID
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_status(order, "cancelled", user=create_member(coop))

    (message,) = mail.outbox
    subject, refunded = REFUNDED_TO_CARD[language]
    assert message.to == ["maria@example.org"]
    assert message.subject == subject.format(number=order.number)
    assert refunded in message.body
    assert "has not been received" not in message.body
    assert "organisation will return" not in message.body
    assert "οργανισμ" not in message.body


RETURNED_BY_THE_ORGANISATION = {
    "en": (
        "You paid €18.60 to Σαπωνοποιία Λέσβου: the organisation will return the money to "
        "you. If you have not heard from it within a few days, contact it:\n"
        "Contact: Σαπωνοποιία Λέσβου\n"
        "  E-mail: sapouni@coop.gr\n"
    ),
    "el": (
        "Πληρώσατε 18,60 € στον φορέα «Σαπωνοποιία Λέσβου»: ο φορέας θα σας επιστρέψει τα "
        "χρήματα. Αν δεν έχετε νέα του μέσα σε λίγες ημέρες, επικοινωνήστε μαζί του:\n"
        "Επικοινωνία: Σαπωνοποιία Λέσβου\n"
        "  E-mail: sapouni@coop.gr\n"
    ),
}


@pytest.mark.parametrize("language", ["en", "el"])
def test_cancelled_paid_bank_transfer_order_says_the_organisation_returns_the_money(
    django_capture_on_commit_callbacks, three_organisations, language
):
    purchase = place_three(
        django_capture_on_commit_callbacks, three_organisations, language=language
    )
    order = orders_of(purchase)["sapouni"]
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(order)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_status(order, "cancelled", user=create_member(order.organisation))

    (message,) = mail.outbox
    assert RETURNED_BY_THE_ORGANISATION[language] in message.body
    # The organisation's contact is given once, where the money is explained.
    assert message.body.count("sapouni@coop.gr") == 1
    assert "refunded to your card" not in message.body
    assert "κάρτα" not in message.body


def test_cancelled_unpaid_order_says_nothing_about_money_back(
    django_capture_on_commit_callbacks, three_organisations
):
    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)
    order = orders_of(purchase)["sapouni"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_status(order, "cancelled", user=create_member(order.organisation))

    (message,) = mail.outbox
    assert "θα σας επιστρέψει" not in message.body
    assert "Επιστράφηκαν" not in message.body
    assert message.body.count("sapouni@coop.gr") == 1


def test_status_email_of_an_order_without_purchase_goes_to_the_orders_email(
    django_capture_on_commit_callbacks,
):
    from tests.factories import create_order_with_lines

    coop = organisation("Παλιό Εργαστήρι", code="palio")
    item = product(coop, "Κερί", "4.00")
    buyer = UserFactory(email="buyer@example.org", first_name="Νίκος", last_name="Ζ.")
    order = create_order_with_lines(lines=[(item, 1)], status="new", user=buyer, organisation=coop)

    assert notifications.send_order_status_email(order.pk, "new", "confirmed") == 1
    (message,) = mail.outbox
    assert message.to == ["buyer@example.org"]
    assert message.body.startswith("Γεια σας Νίκος Ζ.,\n")
    assert "Ο φορέας επιβεβαίωσε την παραγγελία σας και την ετοιμάζει." in message.body


# Failures -----------------------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("the mail server is down")


def test_a_mail_server_failure_does_not_undo_or_break_the_purchase(
    django_capture_on_commit_callbacks, three_organisations, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.shop.test_order_emails.FailingBackend"

    purchase = place_three(django_capture_on_commit_callbacks, three_organisations)

    assert purchase.orders.count() == 3
    assert mail.outbox == []
    assert "Could not send shop.order.tasks.send_purchase_confirmation" in caplog.text
