"""The vendor dashboard: a member of organisation A reaches only A's products, stock,
alerts and order lines; B's objects answer 403/404 or are missing from lists, and the
database is left exactly as it was."""

import csv
import io
import json
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import CategoryFactory, ShippingEventTypeFactory
from PIL import Image

from shop import access
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    create_member,
    create_offered_product,
    create_order_with_lines,
)

pytestmark = pytest.mark.django_db

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")
StockAlert = get_model("partner", "StockAlert")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")
PaymentEventType = get_model("order", "PaymentEventType")
ShippingEvent = get_model("order", "ShippingEvent")
PaymentEvent = get_model("order", "PaymentEvent")
ShippingAddress = get_model("order", "ShippingAddress")

ORDER_PIPELINE = {
    "Pending": ("Being processed", "Cancelled"),
    "Being processed": ("Complete", "Cancelled"),
    "Complete": (),
    "Cancelled": (),
}
LINE_PIPELINE = {
    "Pending": ("Being processed", "Cancelled"),
    "Being processed": ("Shipped", "Cancelled"),
    "Shipped": (),
    "Cancelled": (),
}


@pytest.fixture(autouse=True)
def _status_pipelines(monkeypatch):
    monkeypatch.setattr(Order, "pipeline", ORDER_PIPELINE)
    monkeypatch.setattr(Order, "cascade", {})
    monkeypatch.setattr(Line, "pipeline", LINE_PIPELINE)


@pytest.fixture
def world():
    """Organisations A and B, a member of each, one product each, three orders:
    B's alone, a shared one (A 1 × 10,00 €, B 2 × 20,00 €) and A's alone (A 3 × 10,00 €)."""
    org_a = OrganisationFactory(name="Οργανισμός Α")
    org_b = OrganisationFactory(name="Οργανισμός Β")
    member_a = create_member(org_a, email="a@example.org")
    member_b = create_member(org_b, email="b@example.org")
    product_a = create_offered_product(
        organisation=org_a, price=Decimal("10.00"), stock=10, title="Μέλι Άλφα"
    )
    product_b = create_offered_product(
        organisation=org_b, price=Decimal("20.00"), stock=5, title="Λάδι Βήτα"
    )
    order_b = create_order_with_lines(lines=[(product_b, 1)])
    order_mixed = create_order_with_lines(lines=[(product_a, 1), (product_b, 2)])
    order_a = create_order_with_lines(lines=[(product_a, 3)])
    note_b = order_mixed.notes.create(user=member_b, message="Σημείωση του Β")
    alert_b = StockAlert.objects.create(stockrecord=product_b.stockrecords.get(), threshold=3)
    alert_a = StockAlert.objects.create(stockrecord=product_a.stockrecords.get(), threshold=2)
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        member_a=member_a,
        member_b=member_b,
        product_a=product_a,
        product_b=product_b,
        order_b=order_b,
        order_mixed=order_mixed,
        order_a=order_a,
        line_a_mixed=order_mixed.lines.get(partner=org_a),
        line_b_mixed=order_mixed.lines.get(partner=org_b),
        line_b=order_b.lines.get(),
        note_b=note_b,
        alert_a=alert_a,
        alert_b=alert_b,
        category=CategoryFactory(name="Τρόφιμα"),
        shipped=ShippingEventTypeFactory(name="Shipped", code="shipped"),
    )


@pytest.fixture
def client_a(client, world):
    client.force_login(world.member_a)
    return client


def snapshot():
    """Everything a vendor could try to change, to prove nothing did."""

    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields))

    return {
        "products": rows(Product, "pk", "title", "is_public", "structure", "parent_id"),
        "stock": rows(
            StockRecord, "pk", "product_id", "partner_id", "price", "num_in_stock", "partner_sku"
        ),
        "images": rows(ProductImage, "pk", "product_id"),
        "categories": rows(Product.categories.through, "product_id", "category_id"),
        "alerts": rows(StockAlert, "pk", "status"),
        "orders": rows(Order, "number", "status", "total_incl_tax"),
        "lines": rows(Line, "pk", "status", "partner_id"),
        "notes": rows(OrderNote, "pk", "message", "user_id"),
        "shipping_events": rows(ShippingEvent, "pk", "order_id"),
        "payment_events": rows(PaymentEvent, "pk", "order_id"),
        "addresses": rows(ShippingAddress, "pk", "first_name", "last_name", "line1"),
        "partners": rows(Partner, "pk", "name"),
        "members": rows(Partner.users.through, "partner_id", "user_id"),
    }


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (200, 150, 0)).save(buffer, format="PNG")  # uploads need ≥ 100 px
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def product_form_data(*, title, upc, category, stock, image=None):
    """POST data of Oscar's product form: one category, one stock record (``stock`` holds
    its fields, with ``id`` when it exists), no recommendations, an optional image."""
    data = {
        "title": title,
        "upc": upc,
        "description": "",
        "is_public": "on",
        "is_discountable": "on",
        "structure": Product.STANDALONE,
        "slug": "",
        "meta_title": "",
        "meta_description": "",
        "productcategory_set-TOTAL_FORMS": "1",
        "productcategory_set-INITIAL_FORMS": "0",
        "productcategory_set-0-category": str(category.pk),
        "images-TOTAL_FORMS": "1" if image else "0",
        "images-INITIAL_FORMS": "0",
        "primary_recommendations-TOTAL_FORMS": "0",
        "primary_recommendations-INITIAL_FORMS": "0",
        "stockrecords-TOTAL_FORMS": "1",
        "stockrecords-INITIAL_FORMS": "1" if "id" in stock else "0",
    }
    if image:
        data["images-0-original"] = image
        data["images-0-caption"] = ""
        data["images-0-display_order"] = "0"
    for field, value in stock.items():
        data[f"stockrecords-0-{field}"] = str(value)
    return data


def stock_fields(stockrecord, **changes):
    fields = {
        "id": stockrecord.pk,
        "partner": stockrecord.partner_id,
        "partner_sku": stockrecord.partner_sku,
        "price_currency": "EUR",
        "price": stockrecord.price,
        "num_in_stock": stockrecord.num_in_stock,
        "low_stock_threshold": "",
    }
    fields.update(changes)
    return fields


def order_url(order):
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def line_action(action, lines, **extra):
    data = {"line_action": action, "selected_line": [line.pk for line in lines], **extra}
    for line in lines:
        data[f"selected_line_qty_{line.pk}"] = str(line.quantity)
    return data


# Each case: what member A does to B's objects, and the status codes that count as
# refused (a redirect back with an error message is a refusal when nothing changed).
CASES = {
    "product update page of B": (
        lambda c, w: c.get(reverse("dashboard:catalogue-product", args=[w.product_b.pk])),
        {404},
    ),
    "product update of B (price)": (
        lambda c, w: c.post(
            reverse("dashboard:catalogue-product", args=[w.product_b.pk]),
            product_form_data(
                title="Κλεμμένο",
                upc=w.product_b.upc,
                category=w.category,
                stock=stock_fields(w.product_b.stockrecords.get(), price="1.00"),
            ),
        ),
        {404},
    ),
    "product delete page of B": (
        lambda c, w: c.get(reverse("dashboard:catalogue-product-delete", args=[w.product_b.pk])),
        {404},
    ),
    "product delete of B": (
        lambda c, w: c.post(reverse("dashboard:catalogue-product-delete", args=[w.product_b.pk])),
        {404},
    ),
    "product create with B as the stock record's partner": (
        lambda c, w: c.post(
            reverse(
                "dashboard:catalogue-product-create",
                kwargs={"product_class_slug": w.product_a.product_class.slug},
            ),
            product_form_data(
                title="Ξένο προϊόν",
                upc="FOREIGN-1",
                category=w.category,
                stock={
                    "partner": w.org_b.pk,
                    "partner_sku": "FOREIGN-1",
                    "price_currency": "EUR",
                    "price": "5.00",
                    "num_in_stock": "3",
                },
            ),
        ),
        {200},
    ),
    "variant of B's product": (
        lambda c, w: c.get(
            reverse("dashboard:catalogue-product-create-child", args=[w.product_b.pk])
        ),
        {403},
    ),
    "B's stock record through A's own product form": (
        lambda c, w: c.post(
            reverse("dashboard:catalogue-product", args=[w.product_a.pk]),
            product_form_data(
                title=w.product_a.title,
                upc=w.product_a.upc,
                category=w.category,
                stock=stock_fields(w.product_b.stockrecords.get(), num_in_stock=999),
            ),
        ),
        {200},
    ),
    "A's stock record moved to B": (
        lambda c, w: c.post(
            reverse("dashboard:catalogue-product", args=[w.product_a.pk]),
            product_form_data(
                title=w.product_a.title,
                upc=w.product_a.upc,
                category=w.category,
                stock=stock_fields(w.product_a.stockrecords.get(), partner=w.org_b.pk),
            ),
        ),
        {200},
    ),
    "image upload on B's product": (
        lambda c, w: c.post(
            reverse("dashboard:catalogue-product", args=[w.product_b.pk]),
            product_form_data(
                title=w.product_b.title,
                upc=w.product_b.upc,
                category=w.category,
                stock=stock_fields(w.product_b.stockrecords.get()),
                image=png_upload(),
            ),
        ),
        {404},
    ),
    "order detail of B's order": (lambda c, w: c.get(order_url(w.order_b)), {404}),
    "line detail of B's line in the shared order": (
        lambda c, w: c.get(
            reverse(
                "dashboard:order-line-detail",
                kwargs={"number": w.order_mixed.number, "line_id": w.line_b_mixed.pk},
            )
        ),
        {404},
    ),
    "line status of B's line in the shared order": (
        lambda c, w: c.post(
            order_url(w.order_mixed),
            line_action("change_line_statuses", [w.line_b_mixed], new_status="Being processed"),
        ),
        {302},
    ),
    "line status of A's and B's lines together": (
        lambda c, w: c.post(
            order_url(w.order_mixed),
            line_action(
                "change_line_statuses",
                [w.line_a_mixed, w.line_b_mixed],
                new_status="Being processed",
            ),
        ),
        {302},
    ),
    "line status in B's order": (
        lambda c, w: c.post(
            order_url(w.order_b),
            line_action("change_line_statuses", [w.line_b], new_status="Being processed"),
        ),
        {404},
    ),
    "status of the shared order": (
        lambda c, w: c.post(
            order_url(w.order_mixed),
            {"order_action": "change_order_status", "new_status": "Being processed"},
        ),
        {403},
    ),
    "status of B's order": (
        lambda c, w: c.post(
            order_url(w.order_b),
            {"order_action": "change_order_status", "new_status": "Cancelled"},
        ),
        {404},
    ),
    "bulk status change of the shared order and B's order": (
        lambda c, w: c.post(
            reverse("dashboard:order-list"),
            {
                "action": "change_order_statuses",
                "selected_order": [w.order_mixed.pk, w.order_b.pk],
                "new_status": "Cancelled",
            },
        ),
        {302},
    ),
    "payment event on the shared order": (
        lambda c, w: c.post(
            order_url(w.order_mixed),
            {
                "order_action": "create_order_payment_event",
                "amount": "50.00",
                "payment_event_type": "paid",
            },
        ),
        {403},
    ),
    "note on B's order": (
        lambda c, w: c.post(order_url(w.order_b), {"order_action": "save_note", "message": "Γεια"}),
        {404},
    ),
    "delete B's note on the shared order": (
        lambda c, w: c.post(
            order_url(w.order_mixed),
            {"order_action": "delete_note", "note_id": w.note_b.pk},
        ),
        {302},
    ),
    "edit B's note on the shared order": (
        lambda c, w: c.post(
            reverse(
                "dashboard:order-detail-note",
                kwargs={"number": w.order_mixed.number, "note_id": w.note_b.pk},
            ),
            {"order_action": "save_note", "message": "Αλλαγμένη"},
        ),
        {404},
    ),
    "shipping event on B's line in the shared order": (
        lambda c, w: c.post(
            order_url(w.order_mixed),
            line_action(
                "create_shipping_event",
                [w.line_b_mixed],
                shipping_event_type="shipped",
                reference="",
            ),
        ),
        {302},
    ),
    "shipping event in B's order": (
        lambda c, w: c.post(
            order_url(w.order_b),
            line_action(
                "create_shipping_event", [w.line_b], shipping_event_type="shipped", reference=""
            ),
        ),
        {404},
    ),
    "delivery address of the shared order": (
        lambda c, w: c.post(
            reverse("dashboard:order-shipping-address", args=[w.order_mixed.number]),
            {"first_name": "Κλέφτης", "last_name": "Κλέφτης", "line1": "Αλλού 1"},
        ),
        {403},
    ),
    "delivery address of B's order": (
        lambda c, w: c.get(reverse("dashboard:order-shipping-address", args=[w.order_b.number])),
        {404},
    ),
    "partner list": (lambda c, w: c.get(reverse("dashboard:partner-list")), {403}),
    "partner create": (
        lambda c, w: c.post(reverse("dashboard:partner-create"), {"name": "Ψεύτικος"}),
        {403},
    ),
    "reports": (lambda c, w: c.get(reverse("dashboard:reports-index")), {403}),
    "customer list": (lambda c, w: c.get(reverse("dashboard:users-index")), {403}),
    "partner page of B": (
        lambda c, w: c.get(reverse("dashboard:partner-manage", args=[w.org_b.pk])),
        {403},
    ),
    "partner page of A": (
        lambda c, w: c.post(
            reverse("dashboard:partner-manage", args=[w.org_a.pk]), {"name": "Άλλο όνομα"}
        ),
        {403},
    ),
    "partner delete of B": (
        lambda c, w: c.post(reverse("dashboard:partner-delete", args=[w.org_b.pk])),
        {403},
    ),
    "user selection for B": (
        lambda c, w: c.get(reverse("dashboard:partner-user-select", args=[w.org_b.pk])),
        {403},
    ),
    "linking oneself to B": (
        lambda c, w: c.post(
            reverse(
                "dashboard:partner-user-link",
                kwargs={"partner_pk": w.org_b.pk, "user_pk": w.member_a.pk},
            )
        ),
        {403},
    ),
    "unlinking B's member": (
        lambda c, w: c.post(
            reverse(
                "dashboard:partner-user-unlink",
                kwargs={"partner_pk": w.org_b.pk, "user_pk": w.member_b.pk},
            )
        ),
        {403},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_member_cannot_act_on_another_organisations_objects(client_a, world, case):
    action, refused = CASES[case]
    before = snapshot()

    response = action(client_a, world)

    assert response.status_code in refused
    assert snapshot() == before
    if response.status_code == 200:
        # The product form came back with the stock record refused, nothing else wrong.
        formset = response.context["stockrecord_formset"]
        assert response.context["form"].errors == {}
        assert response.context["category_formset"].total_error_count() == 0
        assert formset.total_error_count() == 1


# Lists: each answers 200 to member A and shows A's objects but none of B's.
LISTS = {
    "product list": (
        lambda w: reverse("dashboard:catalogue-product-list"),
        lambda w: [w.product_a.title],
        lambda w: [w.product_b.title],
    ),
    "product list searched by B's upc": (
        lambda w: reverse("dashboard:catalogue-product-list") + f"?upc={w.product_b.upc}",
        lambda w: [],
        lambda w: [w.product_b.title],
    ),
    "product lookup": (
        lambda w: reverse("dashboard:catalogue-product-lookup") + "?q=",
        lambda w: [w.product_a.title],
        lambda w: [w.product_b.title],
    ),
    "stock alerts": (
        lambda w: reverse("dashboard:stock-alert-list"),
        lambda w: [w.product_a.title],
        lambda w: [w.product_b.title],
    ),
    "order list": (
        lambda w: reverse("dashboard:order-list"),
        lambda w: [
            reverse("dashboard:order-detail", args=[w.order_mixed.number]),
            reverse("dashboard:order-detail", args=[w.order_a.number]),
        ],
        lambda w: [reverse("dashboard:order-detail", args=[w.order_b.number])],
    ),
    "order detail of the shared order": (
        lambda w: order_url(w.order_mixed),
        lambda w: [w.product_a.title],
        lambda w: [w.product_b.title, w.line_b_mixed.partner_sku, w.org_b.name],
    ),
}


@pytest.mark.parametrize("case", list(LISTS))
def test_member_lists_show_only_their_organisation(client_a, world, case):
    url, shown, hidden = LISTS[case]
    before = snapshot()

    response = client_a.get(url(world))

    assert response.status_code == 200
    content = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        content = json.dumps(response.json(), ensure_ascii=False)
    for text in shown(world):
        assert text in content
    for text in hidden(world):
        assert text not in content
    assert snapshot() == before


def test_order_detail_lists_only_the_members_lines(client_a, world):
    response = client_a.get(order_url(world.order_mixed))

    assert list(response.context["lines"]) == [world.line_a_mixed]
    assert response.context["own_lines_total_incl_tax"] == Decimal("10.00")
    assert response.context["can_change_order_status"] is False
    content = response.content.decode()
    assert "10,00" in content
    # Neither B's line (40,00 €) nor the whole order's total (50,00 €) is shown.
    assert "40,00" not in content
    assert "50,00" not in content


def test_order_list_search_by_number_does_not_open_another_organisations_order(client_a, world):
    response = client_a.get(reverse("dashboard:order-list"), {"order_number": world.order_b.number})

    assert response.status_code == 200
    assert list(response.context["orders"]) == []


def test_order_list_shows_totals_of_the_members_lines(client_a, world):
    response = client_a.get(reverse("dashboard:order-list"))

    rows = {
        order.number: (order.own_total_incl_tax, order.own_num_items)
        for order in response.context["orders"]
    }
    assert rows == {
        world.order_mixed.number: (Decimal("10.00"), 1),
        world.order_a.number: (Decimal("30.00"), 3),
    }
    content = response.content.decode()
    assert "50,00" not in content


@pytest.mark.parametrize("extra_orders", [0, 5])
def test_order_list_queries_do_not_grow_with_orders(
    client_a, world, django_assert_num_queries, extra_orders
):
    for _ in range(extra_orders):
        create_order_with_lines(lines=[(world.product_a, 1), (world.product_b, 1)])

    with django_assert_num_queries(10):
        response = client_a.get(reverse("dashboard:order-list"))

    assert len(response.context["orders"]) == 2 + extra_orders


@pytest.mark.parametrize("extra_products", [0, 5])
def test_product_list_queries_do_not_grow_with_products(
    client_a, world, django_assert_num_queries, extra_products
):
    for _ in range(extra_products):
        create_offered_product(organisation=world.org_a)
        create_offered_product(organisation=world.org_b)

    with django_assert_num_queries(17):
        response = client_a.get(reverse("dashboard:catalogue-product-list"))

    assert len(response.context["products"].rows) == 1 + extra_products


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_order_csv_export_holds_only_the_members_lines(client_a, world):
    response = client_a.get(reverse("dashboard:order-list"), {"response_format": "csv"})

    assert response.status_code == 200
    rows = read_csv(response)[1:]
    by_number = {row[0]: (row[1], row[3]) for row in rows}
    assert by_number == {
        world.order_mixed.number: ("10.00", "1"),
        world.order_a.number: ("30.00", "3"),
    }


def test_order_csv_export_of_selected_orders_skips_another_organisations_order(client_a, world):
    response = client_a.post(
        reverse("dashboard:order-list"),
        {
            "action": "download_selected_orders",
            "selected_order": [world.order_b.pk, world.order_mixed.pk],
        },
    )

    rows = read_csv(response)[1:]
    assert [(row[0], row[1]) for row in rows] == [(world.order_mixed.number, "10.00")]


def test_staff_csv_export_keeps_whole_orders(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("dashboard:order-list"), {"response_format": "csv"})

    values = {row[0]: row[1] for row in read_csv(response)[1:]}
    assert values == {
        world.order_b.number: "20.00",
        world.order_mixed.number: "50.00",
        world.order_a.number: "30.00",
    }


def test_index_figures_count_only_the_members_lines(client_a, world):
    response = client_a.get(reverse("dashboard:index"))

    assert response.status_code == 200
    ctx = response.context
    assert ctx["total_orders"] == 2
    assert ctx["total_lines"] == 2
    assert ctx["total_revenue"] == Decimal("40.00")
    assert ctx["total_orders_last_day"] == 2
    assert ctx["total_lines_last_day"] == 2
    assert ctx["total_revenue_last_day"] == Decimal("40.00")
    assert ctx["average_order_costs"] == Decimal("20.00")
    assert ctx["total_products"] == 1
    assert ctx["total_open_stock_alerts"] == 1
    hourly = ctx["hourly_report_dict"]["order_total_hourly"]
    assert sum(item["total_incl_tax"] for item in hourly) == Decimal("40.00")


def test_order_statistics_count_only_the_members_lines(client_a, world):
    response = client_a.get(reverse("dashboard:order-stats"))

    assert response.status_code == 200
    assert response.context["total_orders"] == 2
    assert response.context["total_lines"] == 2
    assert response.context["total_revenue"] == Decimal("40.00")


def test_index_figures_for_staff_count_whole_orders(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("dashboard:index"))

    assert response.context["total_orders"] == 3
    assert response.context["total_lines"] == 4
    assert response.context["total_revenue"] == Decimal("100.00")


def test_member_edits_own_product_price_and_stock(client_a, world):
    stockrecord = world.product_a.stockrecords.get()
    product_b_before = snapshot()["stock"]

    response = client_a.post(
        reverse("dashboard:catalogue-product", args=[world.product_a.pk]),
        product_form_data(
            title="Μέλι Άλφα",
            upc=world.product_a.upc,
            category=world.category,
            stock=stock_fields(stockrecord, price="12.50", num_in_stock=7),
        ),
    )

    assert response.status_code == 302
    stockrecord.refresh_from_db()
    assert (stockrecord.price, stockrecord.num_in_stock) == (Decimal("12.50"), 7)
    assert stockrecord.partner == world.org_a
    other = [row for row in product_b_before if row[0] != stockrecord.pk]
    assert [row for row in snapshot()["stock"] if row[0] != stockrecord.pk] == other


def test_member_creates_product_stocked_by_own_organisation(client_a, world):
    response = client_a.post(
        reverse(
            "dashboard:catalogue-product-create",
            kwargs={"product_class_slug": world.product_a.product_class.slug},
        ),
        product_form_data(
            title="Νέο Μέλι",
            upc="NEW-1",
            category=world.category,
            stock={
                "partner": world.org_a.pk,
                "partner_sku": "NEW-1",
                "price_currency": "EUR",
                "price": "8.00",
                "num_in_stock": "4",
            },
        ),
    )

    assert response.status_code == 302
    created = Product.objects.get(upc="NEW-1")
    stockrecord = created.stockrecords.get()
    assert (stockrecord.partner, stockrecord.price, stockrecord.num_in_stock) == (
        world.org_a,
        Decimal("8.00"),
        4,
    )


def test_member_uploads_image_to_own_product(client_a, world):
    response = client_a.post(
        reverse("dashboard:catalogue-product", args=[world.product_a.pk]),
        product_form_data(
            title=world.product_a.title,
            upc=world.product_a.upc,
            category=world.category,
            stock=stock_fields(world.product_a.stockrecords.get()),
            image=png_upload(),
        ),
    )

    assert response.status_code == 302
    assert ProductImage.objects.filter(product=world.product_a).count() == 1


def test_member_deletes_own_product(client_a, world):
    response = client_a.post(
        reverse("dashboard:catalogue-product-delete", args=[world.product_a.pk])
    )

    assert response.status_code == 302
    assert not Product.objects.filter(pk=world.product_a.pk).exists()
    assert Product.objects.filter(pk=world.product_b.pk).exists()


def test_member_changes_status_of_own_line_in_shared_order(client_a, world):
    response = client_a.post(
        order_url(world.order_mixed),
        line_action("change_line_statuses", [world.line_a_mixed], new_status="Being processed"),
    )

    assert response.status_code == 302
    world.line_a_mixed.refresh_from_db()
    world.line_b_mixed.refresh_from_db()
    world.order_mixed.refresh_from_db()
    assert world.line_a_mixed.status == "Being processed"
    assert world.line_b_mixed.status == "Pending"
    assert world.order_mixed.status == "Pending"


def test_member_creates_shipping_event_for_own_line(client_a, world):
    response = client_a.post(
        order_url(world.order_mixed),
        line_action(
            "create_shipping_event",
            [world.line_a_mixed],
            shipping_event_type="shipped",
            reference="ΕΛΤΑ 123",
        ),
    )

    assert response.status_code == 302
    event = ShippingEvent.objects.get()
    assert list(event.lines.all()) == [world.line_a_mixed]


def test_member_changes_status_of_order_with_only_own_lines(client_a, world):
    response = client_a.post(
        order_url(world.order_a),
        {"order_action": "change_order_status", "new_status": "Being processed"},
    )

    assert response.status_code == 302
    world.order_a.refresh_from_db()
    world.order_b.refresh_from_db()
    assert world.order_a.status == "Being processed"
    assert world.order_b.status == "Pending"


def test_member_adds_note_to_shared_order(client_a, world):
    response = client_a.post(
        order_url(world.order_mixed), {"order_action": "save_note", "message": "Έτοιμο"}
    )

    assert response.status_code == 302
    assert list(world.order_mixed.notes.filter(user=world.member_a).values_list("message")) == [
        ("Έτοιμο",)
    ]


def test_staff_sees_every_line_and_changes_shared_order_status(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(order_url(world.order_mixed))
    response = client.post(
        order_url(world.order_mixed),
        {"order_action": "change_order_status", "new_status": "Being processed"},
    )

    assert set(page.context["lines"]) == {world.line_a_mixed, world.line_b_mixed}
    assert response.status_code == 302
    world.order_mixed.refresh_from_db()
    assert world.order_mixed.status == "Being processed"


def test_gatekeepers(world):
    member = world.member_a

    assert list(access.organisations_of(member)) == [world.org_a]
    assert access.access_organisation_product(member, world.product_a.pk) == world.product_a
    with pytest.raises(Http404):
        access.access_organisation_product(member, world.product_b.pk)
    with pytest.raises(Http404):
        access.access_organisation_product(member, "not-a-number")
    assert list(access.visible_order_lines(member, world.order_mixed)) == [world.line_a_mixed]
    assert list(access.visible_order_lines(member, world.order_b)) == []
    assert access.can_change_order_status(member, world.order_a) is True
    assert access.can_change_order_status(member, world.order_mixed) is False
    assert access.can_change_order_status(member, world.order_b) is False
    assert set(access.orders_of(member)) == {world.order_mixed, world.order_a}
    with pytest.raises(Http404):
        access.access_order(member, world.order_b.number)
    assert list(access.stock_alerts_of(member)) == [world.alert_a]


def test_gatekeepers_let_staff_see_everything(world):
    staff = UserFactory(is_staff=True, is_superuser=True)

    assert access.access_organisation_product(staff, world.product_b.pk) == world.product_b
    assert set(access.visible_order_lines(staff, world.order_mixed)) == {
        world.line_a_mixed,
        world.line_b_mixed,
    }
    assert access.can_change_order_status(staff, world.order_mixed) is True
    assert access.orders_of(staff).count() == 3


def test_gatekeepers_give_an_outsider_nothing(world):
    outsider = UserFactory()

    assert list(access.organisations_of(outsider)) == []
    assert list(access.products_of(outsider)) == []
    assert list(access.orders_of(outsider)) == []
    assert access.can_change_order_status(outsider, world.order_a) is False


def test_member_sees_only_own_notes_and_no_payments_on_a_shared_order(client_a, world):
    world.order_mixed.notes.create(user=world.member_a, message="Σημείωση του Α")
    world.order_mixed.payment_events.create(
        event_type=PaymentEventType.objects.create(name="Εξόφληση"),
        amount=Decimal("40.00"),
        reference="ΑΝΑΦ-Β-123",
    )

    html = client_a.get(order_url(world.order_mixed)).content.decode()

    assert "Σημείωση του Α" in html
    assert "Σημείωση του Β" not in html
    assert "ΑΝΑΦ-Β-123" not in html
    assert "οι πληρωμές της εμφανίζονται μόνο στην ομάδα της πλατφόρμας" in html


def test_member_sees_payments_of_an_order_that_is_all_theirs(client_a, world):
    world.order_a.payment_events.create(
        event_type=PaymentEventType.objects.create(name="Εξόφληση"),
        amount=Decimal("30.00"),
        reference="ΑΝΑΦ-Α-456",
    )
    html = client_a.get(order_url(world.order_a)).content.decode()
    assert "ΑΝΑΦ-Α-456" in html


def test_staff_see_every_note_of_a_shared_order(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(order_url(world.order_mixed)).content.decode()
    assert "Σημείωση του Β" in html


def start_bulk_action(client, action, products):
    """First step of a two-step bulk action: tick ``products`` on the product list."""
    response = client.post(
        reverse("dashboard:catalogue-product-list"),
        {"action": action, "selected_product": [p.pk for p in products]},
    )
    assert response.status_code == 302
    return response["Location"]


def forge_bulk_action(client, action, products):
    """A pending bulk action written straight into the session, skipping the list's
    own filter, as a hostile member could by replaying another member's selection."""
    session = client.session
    session["bulk_intermediate"] = {
        "forged": {
            "action": action,
            "created_at": time.time(),
            "object_ids": [p.pk for p in products],
        }
    }
    session.save()
    return reverse("dashboard:catalogue-product-bulk-action") + "?key=forged"


def prices(world):
    return (
        world.product_a.stockrecords.get().price,
        world.product_b.stockrecords.get().price,
    )


def test_bulk_price_change_touches_only_the_members_products(client_a, world):
    confirm_url = start_bulk_action(
        client_a, "set_product_price", [world.product_a, world.product_b]
    )

    page = client_a.get(confirm_url)
    assert [p.pk for p in page.context["form"].fields["selected_products"].queryset] == [
        world.product_a.pk
    ]
    assert list(page.context["form"].fields["partners"].queryset) == [world.org_a]
    response = client_a.post(
        confirm_url,
        {
            "selected_products": [world.product_a.pk, world.product_b.pk],
            "partners": [world.org_a.pk, world.org_b.pk],
            "new_price": "12.00",
            "confirm_irreversible": "on",
        },
    )

    assert response.status_code == 200  # B's product and partner are not valid choices
    assert prices(world) == (Decimal("10.00"), Decimal("20.00"))
    response = client_a.post(
        confirm_url,
        {
            "selected_products": [world.product_a.pk],
            "partners": [world.org_a.pk],
            "new_price": "12.00",
            "confirm_irreversible": "on",
        },
    )
    assert response.status_code == 302
    assert prices(world) == (Decimal("12.00"), Decimal("20.00"))


@pytest.mark.parametrize(
    "action, data",
    [
        ("set_product_price", {"new_price": "1.00", "confirm_irreversible": "on"}),
        ("make_products_non_public", {}),
    ],
)
def test_forged_bulk_action_on_another_organisations_product_changes_nothing(
    client_a, world, action, data
):
    before = snapshot()
    confirm_url = forge_bulk_action(client_a, action, [world.product_b])

    page = client_a.get(confirm_url)
    response = client_a.post(
        confirm_url,
        {
            "selected_products": [world.product_b.pk],
            "select_all_standalones": "on",
            "partners": [world.org_b.pk],
            **data,
        },
    )

    assert list(page.context["form"].fields["selected_products"].queryset) == []
    assert response.status_code in (200, 302, 403)
    assert snapshot() == before


def test_bulk_make_non_public_hides_only_the_members_products(client_a, world):
    confirm_url = start_bulk_action(
        client_a, "make_products_non_public", [world.product_a, world.product_b]
    )

    response = client_a.post(confirm_url, {"select_all_standalones": "on"})

    assert response.status_code == 302
    world.product_a.refresh_from_db()
    world.product_b.refresh_from_db()
    assert (world.product_a.is_public, world.product_b.is_public) == (False, True)
