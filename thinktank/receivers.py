"""Keep the think tank's search indexes in step with every save and delete of an entry.

Each save goes through the section's index ``update_object``, which indexes the entry
when every visitor may read it and removes it otherwise (draft, scheduled, deleted,
hidden or removed by moderation); a delete removes it. The work runs inline, in the
request that saved the entry.

With haystack's ``RealtimeSignalProcessor`` (Oscar's default, kept by our settings)
haystack itself makes exactly these calls on every save and delete of an indexed
model, so these receivers stand aside rather than index every entry twice; they take
over when another signal processor is configured.

A scheduled entry (``publish_at`` in the future) is not searchable when it is saved:
nothing is saved when its time comes. It becomes searchable when ``update_index``
(``manage.py update_index thinktank --age=1``, hourly) or ``rebuild_index`` runs after
its time; see ``thinktank.search_indexes``.
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from haystack import connections
from haystack import signals as haystack_signals

from thinktank.models import ENTRY_MODELS


def _haystack_indexes_on_save():
    processor = getattr(settings, "HAYSTACK_SIGNAL_PROCESSOR", "")
    return processor.endswith(haystack_signals.RealtimeSignalProcessor.__name__)


def _index_of(model):
    return connections["default"].get_unified_index().get_index(model)


def index_entry(sender, instance, **kwargs):
    if kwargs.get("raw") or _haystack_indexes_on_save():
        return
    _index_of(sender).update_object(instance)


def unindex_entry(sender, instance, **kwargs):
    if _haystack_indexes_on_save():
        return
    _index_of(sender).remove_object(instance)


for _model in ENTRY_MODELS:
    post_save.connect(index_entry, sender=_model, dispatch_uid=f"thinktank.index_{_model.section}")
    post_delete.connect(
        unindex_entry, sender=_model, dispatch_uid=f"thinktank.unindex_{_model.section}"
    )
