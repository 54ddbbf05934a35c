"""Keep the think tank's search indexes in step with every save and delete of an entry.

Each save goes through the section's index ``update_object``, which indexes the entry
when every visitor may read it and removes it otherwise (draft, scheduled, deleted,
hidden or removed by moderation); a delete removes it. Both go through
``shop.search_indexing``: inline without Redis, through Celery after the commit with it.

Our signal processor (``shop.search_indexing.QueuedSignalProcessor``, like haystack's
``RealtimeSignalProcessor``) already makes exactly these calls on every save and delete
of an indexed model, so these receivers stand aside while it is configured, rather than
index every entry twice; they take over when a processor that does not index on save
is configured.

A scheduled entry (``publish_at`` in the future) is not searchable when it is saved:
nothing is saved when its time comes. It becomes searchable when ``update_index``
(``manage.py update_index thinktank --age=1``, hourly) or ``rebuild_index`` runs after
its time; see ``thinktank.search_indexes``.
"""

from django.db.models.signals import post_delete, post_save

from shop.search_indexing import index_later, processor_indexes_on_save, unindex_later
from thinktank.models import ENTRY_MODELS


def index_entry(sender, instance, **kwargs):
    if kwargs.get("raw") or processor_indexes_on_save():
        return
    index_later(instance)


def unindex_entry(sender, instance, **kwargs):
    if processor_indexes_on_save():
        return
    unindex_later(instance)


for _model in ENTRY_MODELS:
    post_save.connect(index_entry, sender=_model, dispatch_uid=f"thinktank.index_{_model.section}")
    post_delete.connect(
        unindex_entry, sender=_model, dispatch_uid=f"thinktank.unindex_{_model.section}"
    )
