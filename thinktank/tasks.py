"""Background jobs of the think tank; each calls one service and holds no logic.

Celery beat runs them periodically (see CELERY_BEAT_SCHEDULE in the settings); with no
Redis they run inline.
"""

from celery import shared_task

from thinktank import facebook, network


@shared_task
def fetch_network_feeds():
    """Read every active feed of the verified organisations."""
    return network.fetch_all_feeds()


@shared_task
def fetch_facebook_posts():
    """Mirror the platform's Facebook page, when a Page access token is configured."""
    return facebook.mirror_facebook_posts()


@shared_task
def notify_followers(content_type_id, entry_id, revision_id, created):
    """E-mail the followers of a new or edited entry."""
    from thinktank.notifications import notify_followers_by_ids

    return notify_followers_by_ids(content_type_id, entry_id, revision_id, created)


@shared_task
def index_due_entries():
    """Add to the search index the scheduled entries whose publication time came in
    the last two hours (the index's updated field is ``publish_at``)."""
    from django.core.management import call_command

    call_command("update_index", "thinktank", age=2, verbosity=0)
