"""Background jobs of the market layer; each calls one function and holds no logic.

With no Redis they run inline (``CELERY_TASK_ALWAYS_EAGER``).
"""

from celery import shared_task


@shared_task(ignore_result=True)
def update_search_index(model_label, pks, usings=None):
    """Index these rows as they are now; remove those deleted or no longer shown."""
    from shop.search_indexing import update_now

    update_now(model_label, pks, usings)


@shared_task(ignore_result=True)
def remove_from_search_index(model_label, pks, usings=None):
    """Remove these deleted rows from the search index."""
    from shop.search_indexing import remove_now

    remove_now(model_label, pks, usings)
