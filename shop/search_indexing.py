"""One path for every change to the search index.

Whatever changes what a search may find goes through ``index_later`` or
``unindex_later``: haystack's signal processor (``QueuedSignalProcessor`` below, named
by ``HAYSTACK_SIGNAL_PROCESSOR``) for every save and delete of an indexed model, and
the receivers that add what haystack cannot see (a product's stock record or its
organisation's verification, a question's answers, see ``catalogue_ext.receivers`` and
``mentors.search_indexes``).

When tasks run inline (no ``REDIS_URL``: ``CELERY_TASK_ALWAYS_EAGER`` is true), the
index is updated at once, in the request that saved the row, as haystack's real-time
processor does. Otherwise a Celery task is queued once the transaction commits, with
the model's label and the primary keys only (``shop.tasks``): the worker reads the rows
again, so it indexes what was committed, removes a row deleted meanwhile, and drops a
row that may no longer be shown (each index's ``update_object`` takes out what a
visitor may not see). Nothing is queued for a transaction that rolls back.

Raw saves (``loaddata``) are not indexed: run ``manage.py update_index`` after loading
fixtures.
"""

import functools

from django.apps import apps
from django.conf import settings
from django.db import models, router, transaction
from django.utils.module_loading import import_string
from haystack import connection_router, connections
from haystack.signals import BaseSignalProcessor, RealtimeSignalProcessor
from haystack.utils import get_model_ct

from shop.page_cache import bump_sections, sections_of_app


def tasks_run_inline():
    """True when Celery runs tasks in the calling process (no broker configured)."""
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True))


def processor_indexes_on_save():
    """True when the configured signal processor indexes every save and delete of an
    indexed model, so that receivers need not do it again."""
    path = getattr(settings, "HAYSTACK_SIGNAL_PROCESSOR", "")
    return bool(path) and issubclass(
        _import_class(path), (RealtimeSignalProcessor, QueuedSignalProcessor)
    )


@functools.lru_cache(maxsize=8)
def _import_class(path):
    return import_string(path)


# Asking for an update ----------------------------------------------------------------


def index_later(model_or_instance, pks=None, *, using=None):
    """Index these rows (or take them out if a visitor may not see them any more).

    Pass a saved instance, or a model and the primary keys of its rows."""
    model, pks, instance = _target(model_or_instance, pks)
    usings = _indexing_connections(model, instance, using)
    if not pks or not usings:
        return
    if not tasks_run_inline():
        _queue_after_commit("update_search_index", model, pks, usings, instance)
    elif instance is not None:
        for alias in usings:
            _index_of(model, alias).update_object(instance, using=alias)
    else:
        update_now(model._meta.label, pks, usings)


def unindex_later(model_or_instance, pks=None, *, using=None):
    """Take these rows out of the index (after they were deleted)."""
    model, pks, instance = _target(model_or_instance, pks)
    usings = _indexing_connections(model, instance, using)
    if not pks or not usings:
        return
    if not tasks_run_inline():
        _queue_after_commit("remove_from_search_index", model, pks, usings, instance)
    elif instance is not None:
        for alias in usings:
            _index_of(model, alias).remove_object(instance, using=alias)
    else:
        remove_now(model._meta.label, pks, usings)


# Doing the update (inline, or in a Celery worker) ------------------------------------


def update_now(model_label, pks, usings=None):
    """Read the rows again and index each one that still exists (its index's
    ``update_object`` drops what may not be shown); remove those that are gone."""
    model = apps.get_model(model_label)
    rows = {str(row.pk): row for row in model._default_manager.filter(pk__in=pks)}
    for alias in usings or _indexing_connections(model, None, None):
        index = _index_of(model, alias)
        if index is None:
            continue
        for pk in pks:
            row = rows.get(str(pk))
            if row is None:
                index.remove_object(_identifier(model, pk), using=alias)
            else:
                index.update_object(row, using=alias)
    _search_results_changed(model)


def remove_now(model_label, pks, usings=None):
    """Remove these rows' documents from the index."""
    model = apps.get_model(model_label)
    for alias in usings or _indexing_connections(model, None, None):
        index = _index_of(model, alias)
        if index is None:
            continue
        for pk in pks:
            index.remove_object(_identifier(model, pk), using=alias)
    _search_results_changed(model)


def _search_results_changed(model):
    """Cached pages and search results of the model's section were made from the index
    as it was; when it is updated in the background that can be after the save."""
    bump_sections(sections_of_app(model._meta.app_label))


# Haystack's signal processor ---------------------------------------------------------


class QueuedSignalProcessor(BaseSignalProcessor):
    """Index every save and delete of an indexed model through ``index_later`` and
    ``unindex_later``: inline without Redis, in a Celery worker with it."""

    def setup(self):
        models.signals.post_save.connect(self.handle_save)
        models.signals.post_delete.connect(self.handle_delete)

    def teardown(self):
        models.signals.post_save.disconnect(self.handle_save)
        models.signals.post_delete.disconnect(self.handle_delete)

    def handle_save(self, sender, instance, raw=False, **kwargs):
        if not raw:
            index_later(instance)

    def handle_delete(self, sender, instance, **kwargs):
        unindex_later(instance)


# Helpers -----------------------------------------------------------------------------


def _target(model_or_instance, pks):
    if isinstance(model_or_instance, models.Model):
        instance = model_or_instance
        model = type(instance)
        if pks is None:
            return model, [instance.pk], instance
        return model, _plain(pks), None
    if pks is None:
        raise TypeError("index_later/unindex_later need primary keys with a model.")
    return model_or_instance, _plain(pks), None


def _plain(pks):
    """Primary keys as JSON can carry them to a worker."""
    return [pk if isinstance(pk, int) else str(pk) for pk in pks if pk is not None]


def _index_of(model, alias):
    """The connection's index of this model, or None (no exception for the many
    models that are not indexed: this runs on every save)."""
    return connections[alias].get_unified_index().get_indexes().get(model)


def _indexing_connections(model, instance, using):
    """The search connections that hold an index of this model."""
    aliases = [using] if using else connection_router.for_write(instance=instance)
    return [alias for alias in aliases if _index_of(model, alias) is not None]


def _identifier(model, pk):
    return f"{get_model_ct(model)}.{pk}"


def _queue_after_commit(task_name, model, pks, usings, instance):
    from shop import tasks

    task = getattr(tasks, task_name)
    database = instance._state.db if instance is not None else router.db_for_write(model)
    args = (model._meta.label, pks, usings)
    transaction.on_commit(lambda: task.delay(*args), using=database, robust=True)
