"""What the site header shows about the visitor, in at most one query each.

Loading Oscar's basket (``request.basket``) costs seven queries: the basket, its
vouchers, the offers, then its lines with their options and images. The header only
needs the number of items, which one aggregate gives.
"""

from django import template
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.signing import BadSignature, Signer
from django.db.models import Q, Sum
from django.utils.functional import SimpleLazyObject, empty
from oscar.core.loading import get_model

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")

register = template.Library()


def _loaded(lazy):
    return not isinstance(lazy, SimpleLazyObject) or lazy._wrapped is not empty


def _open_lines(request):
    """The lines of the visitor's open basket (a member's, or the one the anonymous
    visitor's cookie names), or None when only Oscar's own loading of the basket gives
    the right answer (an anonymous basket to merge after signing in, a forged cookie)."""
    cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if request.user.is_authenticated:
        if cookie:
            return None
        return Line.objects.filter(basket__owner=request.user, basket__status=Basket.OPEN)
    try:
        basket_id = Signer().unsign(cookie)
    except BadSignature:
        return None
    return Line.objects.filter(basket_id=basket_id, basket__owner=None, basket__status=Basket.OPEN)


@register.simple_tag(takes_context=True)
def basket_item_count(context):
    """How many items the visitor's basket holds, as Oscar's ``basket.num_items``."""
    request = context.get("request")
    basket = getattr(request, "basket", None)
    if basket is None:
        return 0
    if _loaded(basket):
        return basket.num_items
    has_cookie = settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES
    if not request.user.is_authenticated and not has_cookie:
        return 0  # a new, empty basket
    lines = _open_lines(request)
    if lines is None:
        return basket.num_items
    count = lines.aggregate(items=Sum("quantity"))["items"] or 0
    if not count and has_cookie:
        return basket.num_items  # the cookie's basket is gone: Oscar drops the cookie
    return count


@register.filter
def can_open_dashboard(user):
    """Whether the header links ``user`` to the dashboard: staff, and members of
    organisations (who hold ``partner.dashboard_access``), in one query."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if hasattr(user, "_perm_cache"):  # the page has read the permissions already
        return user.has_perm("partner.dashboard_access")
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        content_type__app_label="partner",
        codename="dashboard_access",
    ).exists()
