"""Product views and searches are counted in memory and written in batches.

Oscar's analytics write to the database inside every product page view (an UPDATE of the
product's counter, and for a signed-in visitor two more writes). Here a view only adds to
an in-process buffer; a background thread of each server process writes the buffer every
FLUSH_SECONDS in one transaction of bulk statements, and once more when the process
exits. A crash loses at most those seconds of statistics, never a page.

Oscar's recently-viewed cookie is dropped as well: no page shows that list, and a cookie
set on every product page would keep the page out of the anonymous page cache.
"""

import atexit
import logging
import os
import threading
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from oscar.core.loading import get_model

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 30


class ViewBuffer:
    def __init__(self):
        self._lock = threading.Lock()
        self._reset()
        self._owner_pid = None

    def _reset(self):
        self.product_views = Counter()
        self.user_views = Counter()
        self.user_product_views = []
        self.user_searches = []

    def record_product_view(self, product_id, user_id):
        with self._lock:
            self.product_views[product_id] += 1
            if user_id is not None:
                self.user_views[user_id] += 1
                self.user_product_views.append((user_id, product_id))
        self._ensure_flusher()

    def record_search(self, user_id, query):
        with self._lock:
            self.user_searches.append((user_id, query[:255]))
        self._ensure_flusher()

    def take(self):
        """Hand over what was counted so far and start again from zero."""
        with self._lock:
            taken = (
                self.product_views,
                self.user_views,
                self.user_product_views,
                self.user_searches,
            )
            self._reset()
        return taken

    def _ensure_flusher(self):
        # One flushing thread per process; a forked worker starts its own.
        if self._owner_pid == os.getpid() or not settings.VIEW_COUNTS_IN_BACKGROUND:
            return
        with self._lock:
            if self._owner_pid == os.getpid():
                return
            self._owner_pid = os.getpid()
        thread = threading.Thread(target=_flush_forever, name="view-counts", daemon=True)
        thread.start()
        atexit.register(_flush_safely)


buffer = ViewBuffer()


def _flush_forever():
    stop = threading.Event()
    while not stop.wait(FLUSH_SECONDS):
        _flush_safely()


def _flush_safely():
    try:
        flush()
    except Exception:  # the statistics must never take the process down
        logger.exception("Could not write the product view counts")
    finally:
        # The thread's own database connection, closed between rounds.
        connection.close()


def flush():
    """Write the buffered views and searches to Oscar's analytics tables."""
    product_views, user_views, user_product_views, user_searches = buffer.take()
    if not (product_views or user_views or user_product_views or user_searches):
        return
    ProductRecord = get_model("analytics", "ProductRecord")
    UserRecord = get_model("analytics", "UserRecord")
    UserProductView = get_model("analytics", "UserProductView")
    UserSearch = get_model("analytics", "UserSearch")
    Product = get_model("catalogue", "Product")
    User = UserRecord._meta.get_field("user").related_model

    with transaction.atomic():
        # Rows deleted since they were viewed are left out.
        live_products = set(
            Product.objects.filter(pk__in=product_views).values_list("pk", flat=True)
        )
        _add_to_counters(ProductRecord, "product_id", "num_views", product_views, live_products)
        live_users = set(
            User.objects.filter(
                pk__in={user for user, _query in user_searches} | set(user_views)
            ).values_list("pk", flat=True)
        )
        _add_to_counters(UserRecord, "user_id", "num_product_views", user_views, live_users)
        # The rows are stamped at writing time, at most FLUSH_SECONDS after the view.
        UserProductView.objects.bulk_create(
            UserProductView(user_id=user, product_id=product)
            for user, product in user_product_views
            if user in live_users and product in live_products
        )
        UserSearch.objects.bulk_create(
            UserSearch(user_id=user, query=query)
            for user, query in user_searches
            if user in live_users
        )


def _add_to_counters(model, key_field, counter_field, counts, live_keys):
    counts = {key: count for key, count in counts.items() if key in live_keys}
    if not counts:
        return
    records = list(model.objects.select_for_update().filter(**{f"{key_field}__in": counts}))
    for record in records:
        setattr(
            record,
            counter_field,
            getattr(record, counter_field) + counts[getattr(record, key_field)],
        )
    model.objects.bulk_update(records, [counter_field])
    counted = {getattr(record, key_field) for record in records}
    model.objects.bulk_create(
        model(**{key_field: key, counter_field: count})
        for key, count in counts.items()
        if key not in counted
    )


def receive_product_view(sender, product, user, **kwargs):
    user_id = user.pk if user is not None and user.is_authenticated else None
    buffer.record_product_view(product.pk, user_id)


def receive_search(sender, query, user, **kwargs):
    if user is not None and user.is_authenticated:
        buffer.record_search(user.pk, query)


def replace_oscar_receivers():
    """Swap Oscar's per-request analytics writes and history cookie for the buffer."""
    from oscar.apps.analytics import receivers as analytics_receivers
    from oscar.apps.catalogue.signals import product_viewed
    from oscar.apps.customer import receivers as customer_receivers
    from oscar.apps.search.signals import user_search

    product_viewed.disconnect(analytics_receivers.receive_product_view)
    product_viewed.disconnect(customer_receivers.receive_product_view)
    user_search.disconnect(analytics_receivers.receive_product_search)
    product_viewed.connect(receive_product_view, dispatch_uid="buffered-product-view")
    user_search.connect(receive_search, dispatch_uid="buffered-user-search")
