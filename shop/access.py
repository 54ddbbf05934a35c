"""Who may see and change what in the dashboard: the gatekeepers of the vendor dashboard.

Platform staff (``is_staff``) see and change everything. A member of an organisation
(an Oscar ``Partner``, whose members are ``Partner.users``) sees only the products
stocked by their organisations, the orders that contain at least one of their lines,
and within those orders only their own lines. Every dashboard view of a vendor goes
through these functions instead of checking permissions itself.
"""

from django.db.models import Q
from django.http import Http404
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockAlert = get_model("partner", "StockAlert")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")


def is_platform_staff(user):
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def organisations_of(user):
    """The organisations the user is a member of (none for an anonymous user)."""
    if not user.is_authenticated or not user.is_active:
        return Partner.objects.none()
    return Partner.objects.filter(users=user)


def products_of(user):
    """Products the user may manage: all for staff; for a member, the products stocked
    by their organisations (a parent product through its children)."""
    products = Product.objects.all()
    if is_platform_staff(user):
        return products
    organisation_ids = organisations_of(user).values("pk")
    return products.filter(
        Q(stockrecords__partner__in=organisation_ids)
        | Q(children__stockrecords__partner__in=organisation_ids)
    ).distinct()


def access_organisation_product(user, product_id):
    """The product with this id if the user may manage it; otherwise ``Http404``."""
    try:
        return products_of(user).get(pk=product_id)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise Http404("No such product.") from None


def stock_alerts_of(user):
    alerts = StockAlert.objects.select_related("stockrecord__product", "stockrecord__partner")
    if is_platform_staff(user):
        return alerts
    return alerts.filter(stockrecord__partner__in=organisations_of(user).values("pk"))


def order_lines_of(user):
    """All order lines the user may see, over every order."""
    if is_platform_staff(user):
        return Line.objects.all()
    return Line.objects.filter(partner__in=organisations_of(user).values("pk"))


def orders_of(user):
    """Orders the user may open: all for staff; for a member, the orders that contain
    at least one line of their organisations."""
    orders = Order.objects.select_related(
        "billing_address",
        "billing_address__country",
        "shipping_address",
        "shipping_address__country",
        "user",
    ).prefetch_related("lines", "status_changes")
    if is_platform_staff(user):
        return orders
    return orders.filter(pk__in=order_lines_of(user).values("order_id"))


def access_order(user, number):
    """The order with this number if the user may open it; otherwise ``Http404``."""
    try:
        return orders_of(user).get(number=number)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


def visible_order_lines(user, order):
    """The lines of ``order`` the user may see and act on."""
    if is_platform_staff(user):
        return order.lines.all()
    return order.lines.filter(partner__in=organisations_of(user).values("pk"))


def can_change_order_status(user, order):
    """Order-level changes (status, payment events, delivery address) are for staff,
    or for a member when every line of the order is their organisations' own."""
    if is_platform_staff(user):
        return True
    lines = order.lines.all()
    if not lines.exists():
        return False
    return not lines.exclude(partner__in=organisations_of(user).values("pk")).exists()


def can_edit_order_note(user, note):
    """Staff edit any note; a member only the notes they wrote themselves."""
    return is_platform_staff(user) or (note.user_id is not None and note.user_id == user.pk)


def visible_order_notes(user, order):
    """Staff see every note of an order; a member sees the notes written by members of
    their own organisations, never another organisation's notes on a shared order."""
    notes = order.notes.select_related("user").order_by("date_created", "pk")
    if is_platform_staff(user):
        return notes
    return notes.filter(user__partners__in=organisations_of(user).values("pk")).distinct()
