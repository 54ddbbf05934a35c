"""Checkout across organisations: one basket, one order per organisation, all or nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import services
from shop.order.models import Purchase
from tests.factories import UserFactory
from tests.factories.market import (
    VALID_IBAN,
    basket_with,
    product_of,
    selling_organisation,
    shipping_address,
)

Basket = get_model("basket", "Basket")
Line = get_model("order", "Line")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    """Honey and a book from a Cretan cooperative that ships (free from 60 €) and takes
    bank transfers; soap from a women's cooperative for pickup and cash; a guided tour
    (a service with 8 places) from an ecotourism enterprise paid by bank transfer."""
    bees = selling_organisation(
        "Μελισσοκομικός Συνεταιρισμός Κρήτης",
        shipping_fees=[("0", "4.50"), ("60", "0")],
        accepts_bank_transfer=True,
        iban=VALID_IBAN,
    )
    soap = selling_organisation("Γυναικείος Συνεταιρισμός Σαπωνοποιίας", accepts_cash=True)
    tours = selling_organisation(
        "Οικοτουριστική ΚοινΣΕπ Ζαγορίου",
        accepts_bank_transfer=True,
        accepts_cash=False,
        iban=VALID_IBAN,
    )
    return {
        "bees": bees,
        "soap_org": soap,
        "tours": tours,
        # Prices exclude VAT: 8,00 € + 13% = 9,04 €; 10,00 € + 6% = 10,60 €;
        # 3,00 € + 24% = 3,72 €; 25,00 € + 24% = 31,00 €.
        "honey": product_of(bees, "Θυμαρίσιο μέλι 450 g", "8.00", stock=5, vat="reduced"),
        "book": product_of(
            bees, "Ο οδηγός του μελισσοκόμου", "10.00", stock=3, vat="super_reduced"
        ),
        "soap": product_of(soap, "Σαπούνι ελαιολάδου", "3.00", stock=20, vat="standard"),
        "tour": product_of(
            tours, "Ξενάγηση στα γεφύρια", "25.00", stock=8, vat="standard", service=True
        ),
    }


def use_basket(client, basket):
    """Make ``basket`` the anonymous visitor's basket (Oscar keeps its id in a cookie)."""
    from django.core.signing import Signer

    client.cookies["oscar_open_basket"] = Signer().sign(basket.id)


def checkout_data(market, **overrides):
    data = {
        "contact-name": "Ελένη Παπαδάκη",
        "contact-email": "eleni@example.org",
        "contact-phone": "6912345678",
        "address-line1": "Λεωφόρος Κνωσού 12",
        "address-line4": "Ηράκλειο",
        "address-postcode": "71202",
        f"org-{market['bees'].pk}-delivery_method": "shipping",
        f"org-{market['bees'].pk}-payment_method": "bank_transfer",
        f"org-{market['soap_org'].pk}-delivery_method": "pickup",
        f"org-{market['soap_org'].pk}-payment_method": "cash",
        f"org-{market['soap_org'].pk}-note": "Θα περάσω το Σάββατο.",
        f"org-{market['tours'].pk}-delivery_method": "none",
        f"org-{market['tours'].pk}-payment_method": "bank_transfer",
    }
    data.update(overrides)
    return data


def full_basket(market):
    return basket_with(
        (market["honey"], 2), (market["book"], 1), (market["soap"], 3), (market["tour"], 2)
    )


def allocated(product):
    return StockRecord.objects.get(product=product).num_allocated or 0


def test_three_organisations_and_a_service_make_three_orders(client, market):
    basket = full_basket(market)
    use_basket(client, basket)

    response = client.post("/market/checkout/", checkout_data(market))

    purchase = Purchase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == purchase.get_absolute_url()
    assert purchase.email == "eleni@example.org"
    assert purchase.name == "Ελένη Παπαδάκη"
    assert purchase.phone == "+306912345678"
    assert purchase.language == "el"
    orders = {order.organisation: order for order in purchase.orders.all()}
    assert set(orders) == {market["bees"], market["soap_org"], market["tours"]}

    bees = orders[market["bees"]]
    assert [(line.title, line.quantity, line.line_price_incl_tax, line.tax_code)
            for line in bees.lines.order_by("title")] == [
        ("Θυμαρίσιο μέλι 450 g", 2, Decimal("18.08"), "13"),
        ("Ο οδηγός του μελισσοκόμου", 1, Decimal("10.60"), "6"),
    ]  # fmt: skip
    # Goods 28,68 € are under the 60 € free-shipping threshold: 4,50 € shipping.
    assert bees.shipping_incl_tax == Decimal("4.50")
    assert bees.shipping_excl_tax == Decimal("3.63")
    assert bees.total_incl_tax == Decimal("33.18")
    assert bees.total_excl_tax == Decimal("16.00") + Decimal("10.00") + Decimal("3.63")
    assert (bees.delivery_method, bees.payment_method) == ("shipping", "bank_transfer")
    assert bees.shipping_address.line1 == "Λεωφόρος Κνωσού 12"
    assert bees.shipping_address.postcode == "71202"
    assert bees.payment_deadline is not None

    soap = orders[market["soap_org"]]
    soap_lines = [
        (line.title, line.quantity, line.line_price_incl_tax, line.tax_code)
        for line in soap.lines.all()
    ]
    assert soap_lines == [("Σαπούνι ελαιολάδου", 3, Decimal("11.16"), "24")]
    assert soap.shipping_incl_tax == Decimal("0.00")
    assert soap.total_incl_tax == Decimal("11.16")
    assert soap.total_excl_tax == Decimal("9.00")
    assert (soap.delivery_method, soap.payment_method) == ("pickup", "cash")
    assert soap.customer_note == "Θα περάσω το Σάββατο."
    assert soap.shipping_address is None
    assert soap.payment_deadline is None

    tours = orders[market["tours"]]
    assert [
        (line.title, line.quantity, line.line_price_incl_tax) for line in tours.lines.all()
    ] == [("Ξενάγηση στα γεφύρια", 2, Decimal("62.00"))]
    assert tours.total_incl_tax == Decimal("62.00")
    assert (tours.delivery_method, tours.payment_method) == ("none", "bank_transfer")

    assert purchase.total_incl_tax == Decimal("106.34")
    for order in orders.values():
        assert order.status == "new"
        assert order.receipt_number == 1
        assert order.guest_email == "eleni@example.org"
        assert order.number.startswith(f"{purchase.number}-")
        assert {line.partner for line in order.lines.all()} == {order.organisation}
    # Stock is reserved, not yet taken out; the guided tour's places are counted too.
    assert [allocated(market[key]) for key in ("honey", "book", "soap", "tour")] == [2, 1, 3, 2]
    assert StockRecord.objects.get(product=market["honey"]).num_in_stock == 5
    assert Basket.objects.get(pk=basket.pk).status == Basket.SUBMITTED


def test_free_shipping_above_the_threshold(client, market):
    use_basket(client, basket_with((market["honey"], 5), (market["book"], 2)))
    data = checkout_data(market)

    client.post("/market/checkout/", data)

    order = Order.objects.get(organisation=market["bees"])
    assert order.lines.count() == 2
    assert order.shipping_incl_tax == Decimal("0.00")
    assert order.total_incl_tax == Decimal("45.20") + Decimal("21.20")


def test_one_part_out_of_stock_creates_nothing(client, market):
    basket = full_basket(market)
    use_basket(client, basket)
    # Someone else booked 7 of the tour's 8 places meanwhile.
    StockRecord.objects.filter(product=market["tour"]).update(num_allocated=7)

    response = client.post("/market/checkout/", checkout_data(market))

    assert response.status_code == 409
    page = response.content.decode()
    assert "«Ξενάγηση στα γεφύρια»" in page or "“Ξενάγηση στα γεφύρια”" in page
    assert "1 left" in page or "απομένει" in page or "απομένουν" in page
    assert Purchase.objects.count() == 0
    assert Order.objects.count() == 0
    assert Line.objects.count() == 0
    assert [allocated(market[key]) for key in ("honey", "book", "soap", "tour")] == [0, 0, 0, 7]
    assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN


def test_a_payment_method_the_organisation_does_not_accept_is_refused(client, market):
    use_basket(client, full_basket(market))
    data = checkout_data(market, **{f"org-{market['tours'].pk}-payment_method": "cash"})

    response = client.post("/market/checkout/", data)

    assert response.status_code == 400
    assert Order.objects.count() == 0
    assert "cash" not in dict(response.context["parts"][2][1].fields["payment_method"].choices)


def test_shipping_needs_an_address(client, market):
    use_basket(client, full_basket(market))
    data = checkout_data(market)
    del data["address-line1"]

    response = client.post("/market/checkout/", data)

    assert response.status_code == 400
    assert response.context["address_form"].errors["line1"]
    assert Order.objects.count() == 0


def test_pickup_needs_no_address(client, market):
    use_basket(client, basket_with((market["honey"], 1)))
    data = {
        key: value
        for key, value in checkout_data(market).items()
        if not key.startswith("address-") and not key.startswith(f"org-{market['soap_org'].pk}")
        and not key.startswith(f"org-{market['tours'].pk}")
    }  # fmt: skip
    data[f"org-{market['bees'].pk}-delivery_method"] = "pickup"

    response = client.post("/market/checkout/", data)

    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.delivery_method, order.shipping_incl_tax, order.shipping_address) == (
        "pickup",
        Decimal("0.00"),
        None,
    )


def test_receipt_numbers_follow_each_other_per_organisation(client, market):
    for _round in range(2):
        client.cookies.clear()
        use_basket(client, full_basket(market))
        client.post("/market/checkout/", checkout_data(market))

    for organisation in (market["bees"], market["soap_org"], market["tours"]):
        numbers = Order.objects.filter(organisation=organisation).values_list(
            "receipt_number", flat=True
        )
        assert sorted(numbers) == [1, 2]


def test_a_signed_in_consumer_finds_the_orders_in_the_account(client, market):
    user = UserFactory(email="nikos@example.org")
    client.force_login(user)
    basket = basket_with((market["soap"], 1), owner=user)
    data = {
        "contact-name": "Νίκος Αλεξίου",
        "contact-email": "nikos@example.org",
        "contact-phone": "2101234567",
        f"org-{market['soap_org'].pk}-delivery_method": "pickup",
        f"org-{market['soap_org'].pk}-payment_method": "cash",
    }

    response = client.post("/market/checkout/", data)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.user == user and order.guest_email == ""
    assert order.purchase.user == user
    assert Basket.objects.get(pk=basket.pk).status == Basket.SUBMITTED
    history = client.get(reverse("customer:order-list"))
    assert order.number in history.content.decode()


def test_the_purchase_page_needs_its_token(client, market):
    use_basket(client, full_basket(market))
    client.post("/market/checkout/", checkout_data(market))
    purchase = Purchase.objects.get()

    page = client.get(purchase.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    for organisation in (market["bees"], market["soap_org"], market["tours"]):
        assert organisation.name in text
    assert "GR16 0110 1250 0000 0001 2300 695" in text
    assert f"{purchase.number}-1" in text
    assert page["Cache-Control"] == "private, no-store"

    last = purchase.token[-1]
    wrong_token = purchase.token[:-1] + ("y" if last == "x" else "x")
    assert client.get(f"/market/checkout/purchases/{wrong_token}/").status_code == 404


def test_purchase_page_queries_do_not_grow_with_its_parts(
    client, market, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for items in (
        [(market["soap"], 1)],
        [(market["honey"], 1), (market["soap"], 1), (market["tour"], 1)],
    ):
        client.cookies.clear()
        use_basket(client, basket_with(*items))
        data = checkout_data(market)
        data[f"org-{market['bees'].pk}-delivery_method"] = "pickup"
        client.post("/market/checkout/", data)
        purchase = Purchase.objects.order_by("-pk").first()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(purchase.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 15


def test_the_basket_shows_one_part_per_organisation(client, market):
    use_basket(client, full_basket(market))

    response = client.get("/market/basket/")

    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('class="card mb-3 basket-group"') == 3
    # The Cretan cooperative's part: 18,08 + 10,60 = 28,68 €, of which VAT 2,68 €.
    bees_part = text.split(f'data-organisation="{market["bees"].code}"')[1].split("</section>")[0]
    assert "28,68\xa0€" in bees_part
    assert "2,68\xa0€" in bees_part
    assert "4,50\xa0€" in bees_part
    assert "Σαπούνι" not in bees_part


def test_checkout_page_offers_only_what_each_organisation_accepts(client, market):
    use_basket(client, full_basket(market))

    response = client.get("/market/checkout/")

    assert response.status_code == 200
    parts = {group.organisation: form for group, form in response.context["parts"]}
    assert [value for value, _label in parts[market["bees"]].fields["delivery_method"].choices] == [
        "shipping",
        "pickup",
    ]
    assert [value for value, _l in parts[market["soap_org"]].fields["delivery_method"].choices] == [
        "pickup"
    ]
    assert [value for value, _l in parts[market["tours"]].fields["delivery_method"].choices] == [
        "none"
    ]
    assert [value for value, _l in parts[market["tours"]].fields["payment_method"].choices] == [
        "bank_transfer"
    ]
    assert "card" not in [
        value for value, _l in parts[market["bees"]].fields["payment_method"].choices
    ]


def test_account_order_history_queries_do_not_grow_with_the_orders(client, market):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory(email="history@example.org")
    client.force_login(user)
    pickup_cash = {"delivery_method": "pickup", "payment_method": "cash"}
    counts = []
    for items in ([(market["soap"], 1)], [(market["soap"], 1), (market["tour"], 1)]):
        basket = basket_with(*items, owner=user)
        choices = {
            market["soap_org"].pk: services.PartChoice(**pickup_cash),
            market["tours"].pk: services.PartChoice("none", "bank_transfer"),
        }
        services.place_purchase(
            basket, services.Consumer(email=user.email, name="Ιστορικό", user=user), choices
        )
        client.get(reverse("customer:order-list"))  # the first visit opens a basket
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("customer:order-list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert Order.objects.filter(user=user).count() == 3
    assert counts[0] == counts[1]


def test_placing_an_already_placed_basket_leads_to_its_purchase(rf, market):
    """The second request of a double click still holds the basket the first placed: it
    is led to that purchase, and nothing is placed twice."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from shop.checkout.views import CheckoutView

    basket = full_basket(market)
    data = checkout_data(market)
    choices = {
        market["bees"].pk: services.PartChoice("shipping", "bank_transfer"),
        market["soap_org"].pk: services.PartChoice("pickup", "cash"),
        market["tours"].pk: services.PartChoice("none", "bank_transfer"),
    }
    first = services.place_purchase(
        basket,
        services.Consumer(email="eleni@example.org", name="Ελένη"),
        choices,
        shipping_address(),
    )
    request = rf.post("/market/checkout/", data)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.basket = Basket.objects.get(pk=basket.pk)
    request.basket.strategy = basket.strategy

    response = CheckoutView.as_view()(request)

    assert response.status_code == 302
    assert response["Location"] == first.get_absolute_url()
    assert [str(message) for message in request._messages] == [
        f"Ευχαριστούμε! Η παραγγελία σας {first.number} στάλθηκε στους φορείς."
    ]
    assert Purchase.objects.count() == 1
    assert Order.objects.count() == 3
    assert [allocated(market[key]) for key in ("honey", "book", "soap", "tour")] == [2, 1, 3, 2]
