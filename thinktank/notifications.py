"""E-mails to the people who follow a section, an organisation or an entry."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from thinktank.models import Follow, NotificationSettings, Revision


def followers_to_notify(*, entry, revision, created):
    """Users following the entry's section, organisation or the entry itself, who want
    e-mail (and, for an edit, e-mail about edits), except the one who made the change."""
    content_type = ContentType.objects.get_for_model(type(entry))
    follows = Follow.objects.filter(
        Q(section=entry.section)
        | Q(organisation_id=entry.organisation_id)
        | Q(content_type=content_type, object_id=entry.pk)
    )
    muted = NotificationSettings.objects.filter(email_enabled=False)
    if not created:
        muted = NotificationSettings.objects.filter(
            Q(email_enabled=False) | Q(notify_on_revisions=False)
        )
    users = (
        get_user_model()
        .objects.filter(pk__in=follows.values("user_id"), is_active=True)
        .exclude(pk__in=muted.values("user_id"))
        .exclude(email="")
    )
    if revision.author_id:
        users = users.exclude(pk=revision.author_id)
    return users.order_by("pk")


def notify_followers(*, entry, revision, created, base_url=None):
    """Send one e-mail per follower; returns how many were sent."""
    base_url = base_url or getattr(settings, "SITE_URL", "http://127.0.0.1:8000")
    recipients = list(followers_to_notify(entry=entry, revision=revision, created=created))
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "entry": entry,
            "revision": revision,
            "created": created,
            "entry_url": base_url.rstrip("/") + entry.get_absolute_url(),
            "settings_url": base_url.rstrip("/") + "/thinktank/notifications/",
        }
        subject = " ".join(render_to_string("thinktank/emails/follow_subject.txt", context).split())
        body = render_to_string("thinktank/emails/follow_body.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in recipients]
    return send_mass_mail(messages, fail_silently=False)


def notify_followers_by_ids(content_type_id, entry_id, revision_id, created):
    """Entry point for the Celery task: load by ids, then notify."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    entry = model.objects.filter(pk=entry_id).first()
    revision = Revision.objects.filter(pk=revision_id).first()
    if entry is None or revision is None:
        return 0
    return notify_followers(entry=entry, revision=revision, created=created)
