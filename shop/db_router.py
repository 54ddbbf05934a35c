"""Reads from a PostgreSQL read replica, writes to the primary.

Active only when DATABASE_REPLICA_URL adds a ``replica`` database (see settings). A
replica lags the primary a little, so reads stay on the primary where they must see
what was just written:

- inside a transaction (``transaction.atomic``) on the primary;
- after a write in the same request or Celery task (read-your-writes);
- for sessions, users, baskets, orders and payments, which a visitor changes and reads
  back on the next request.
"""

from asgiref.local import Local
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "basket", "order", "payment"})

_state = Local()


def has_written():
    return getattr(_state, "has_written", False)


def forget_writes(**kwargs):
    """A new request or task starts: its reads may go to the replica again."""
    _state.has_written = False


request_started.connect(forget_writes, dispatch_uid="shop-db-router-forget-writes")
try:
    from celery.signals import task_prerun
except ImportError:  # pragma: no cover - Celery is a dependency; keep the router importable
    pass
else:
    task_prerun.connect(forget_writes, dispatch_uid="shop-db-router-forget-writes", weak=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA_DB_ALIAS not in connections.settings:
            return None
        if (
            model._meta.app_label in PRIMARY_ONLY_APPS
            or has_written()
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model, **hints):
        _state.has_written = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: objects read from either may be related.
        databases = {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        # The replica copies the primary's schema through replication.
        return db != REPLICA_DB_ALIAS
