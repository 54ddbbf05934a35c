"""Business rules of the think tank: saving with history, reverting, deleting and
restoring, community flags and review, endorsements, comments, follows."""

import datetime
import difflib
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from shop.text import slugify_greek
from thinktank.models import (
    Comment,
    Endorsement,
    Flag,
    Follow,
    Moderation,
    ModerationAction,
    NotificationSettings,
    Revision,
    Status,
)

FLAGGING_ORGANISATIONS_TO_HIDE = 3

# Path segments a section uses for its own pages, never an entry's slug.
RESERVED_SLUGS = {"new", "follow", "feed", "calendar", "month", "atom"}


def unique_slug(model, title, exclude_pk=None):
    base = slugify_greek(title)[:200] or "entry"
    slug, number = (f"{base}-2", 3) if base in RESERVED_SLUGS else (base, 2)
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while others.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class ThinktankError(Exception):
    """A rule of the think tank refused the action; the message is for the user."""


# History ------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def snapshot(entry):
    """The entry's versioned field values, as JSON-friendly data."""
    return {name: _json_value(getattr(entry, name)) for name in entry.revision_fields()}


def _target(entry):
    return {"content_type": ContentType.objects.get_for_model(type(entry)), "object_id": entry.pk}


def revisions_of(entry):
    return Revision.objects.filter(**_target(entry)).select_related("author", "organisation")


def _record_revision(*, entry, user, organisation, summary):
    target = _target(entry)
    last = Revision.objects.filter(**target).aggregate(last=Max("number"))["last"] or 0
    return Revision.objects.create(
        **target,
        number=last + 1,
        author=user,
        organisation=organisation,
        summary=summary[:200],
        data=snapshot(entry),
    )


@transaction.atomic
def save_entry(*, entry, user, organisation, summary="", notify=True):
    """Create or update an entry and keep the new state as a revision.

    ``organisation`` is the one the user acts for (the entry's owner on creation).
    Nothing is written when the fields did not change. Followers hear about it after
    the transaction commits, unless ``notify`` is false (demo data, imports).
    """
    creating = entry.pk is None
    if not entry.slug:
        entry.slug = unique_slug(type(entry), entry.title)
    if creating:
        entry.organisation = organisation
        entry.author = user
    else:
        last = revisions_of(entry).first()
        if last is not None and last.data == snapshot(entry):
            return None
    entry.save()
    revision = _record_revision(
        entry=entry,
        user=user,
        organisation=organisation,
        summary=summary or (str(_("Created")) if creating else ""),
    )
    if notify:
        _notify_after_commit(entry=entry, revision=revision, created=creating)
    return revision


def _restored_value(field, value):
    if value is None or value == "":
        return None if field.null else value
    if isinstance(field, models.DateTimeField):
        return parse_datetime(value)
    if isinstance(field, models.DateField):
        return parse_date(value)
    return value


@transaction.atomic
def revert_to(*, entry, revision, user, organisation):
    """Restore an earlier revision's values as a new revision (history keeps all)."""
    if revision.content_type_id != ContentType.objects.get_for_model(type(entry)).pk or (
        revision.object_id != entry.pk
    ):
        raise ThinktankError(_("This revision belongs to another entry."))
    for name, value in revision.data.items():
        field = entry._meta.get_field(name)
        setattr(entry, field.attname, _restored_value(field, value))
    summary = str(_("Reverted to revision %(number)s")) % {"number": revision.number}
    new_revision = save_entry(entry=entry, user=user, organisation=organisation, summary=summary)
    if new_revision is None:
        raise ThinktankError(_("The entry already has this revision's text."))
    _log(entry, ModerationAction.Kind.REVERTED, user, organisation, note=summary)
    return new_revision


def diff_revisions(older, newer, model):
    """Changed fields between two revisions: ``[{"label", "lines": [(op, text)]}]``
    with op ``" "`` (same), ``"-"`` (removed) or ``"+"`` (added)."""
    changes = []
    for name in model.revision_fields():
        before, after = older.data.get(name), newer.data.get(name)
        if before == after:
            continue
        before_lines = str(before if before is not None else "").splitlines() or [""]
        after_lines = str(after if after is not None else "").splitlines() or [""]
        lines = [
            (line[0], line[2:])
            for line in difflib.ndiff(before_lines, after_lines)
            if not line.startswith("?")
        ]
        changes.append(
            {"name": name, "label": model._meta.get_field(name).verbose_name, "lines": lines}
        )
    return changes


# Deleting and restoring ----------------------------------------------------------------


def _log(entry, kind, actor, organisation, note=""):
    return ModerationAction.objects.create(
        **_target(entry),
        kind=kind,
        actor=actor,
        organisation=organisation,
        entry_title=entry.title[:200],
        note=note[:500],
    )


@transaction.atomic
def delete_entry(*, entry, user, organisation):
    if entry.deleted_at is None:
        entry.deleted_at = timezone.now()
        entry.save(update_fields=["deleted_at", "updated_at"])
        _log(entry, ModerationAction.Kind.DELETED, user, organisation)


@transaction.atomic
def restore_entry(*, entry, user, organisation):
    if entry.deleted_at is not None:
        entry.deleted_at = None
        entry.save(update_fields=["deleted_at", "updated_at"])
        _log(entry, ModerationAction.Kind.UNDELETED, user, organisation)


# Community moderation ------------------------------------------------------------------


def open_flags_of(entry):
    return Flag.objects.filter(**_target(entry), resolved_at__isnull=True)


@transaction.atomic
def flag_entry(*, entry, user, organisation, reason, comment=""):
    """Record a user's flag. Once open flags come from three different organisations,
    the entry is hidden pending review, and the hiding is logged publicly."""
    if entry.author_id == user.pk:
        raise ThinktankError(_("You cannot flag your own entry."))
    # Lock the entry first, so that two flags arriving together are counted in turn.
    entry.moderation = (
        type(entry)
        .objects.select_for_update()
        .values_list("moderation", flat=True)
        .get(pk=entry.pk)
    )
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                **_target(entry),
                user=user,
                organisation=organisation,
                reason=reason,
                comment=comment,
            )
    except IntegrityError:
        raise ThinktankError(_("You have already flagged this entry.")) from None
    organisations = (
        open_flags_of(entry)
        .exclude(organisation__isnull=True)
        .values("organisation")
        .distinct()
        .count()
    )
    if organisations >= FLAGGING_ORGANISATIONS_TO_HIDE and entry.moderation == Moderation.VISIBLE:
        entry.moderation = Moderation.HIDDEN
        entry.save(update_fields=["moderation", "updated_at"])
        _log(entry, ModerationAction.Kind.HIDDEN, None, None)
    return flag


@transaction.atomic
def review_entry(*, entry, user, organisation, restore, note=""):
    """A member of a verified organisation decides on a hidden entry: restore it (the
    flags are closed) or remove it. Either way the decision is logged publicly."""
    if entry.moderation != Moderation.HIDDEN:
        raise ThinktankError(_("This entry is not waiting for review."))
    entry.moderation = Moderation.VISIBLE if restore else Moderation.REMOVED
    entry.save(update_fields=["moderation", "updated_at"])
    open_flags_of(entry).update(resolved_at=timezone.now())
    kind = ModerationAction.Kind.RESTORED if restore else ModerationAction.Kind.REMOVED
    return _log(entry, kind, user, organisation, note=note)


def moderation_log_of(entry):
    return ModerationAction.objects.filter(**_target(entry)).select_related("actor", "organisation")


# Proposals: endorsements and comments -------------------------------------------------


@transaction.atomic
def endorse(*, proposal, organisation, user):
    if not proposal.is_published:
        raise ThinktankError(_("Only published proposals can be endorsed."))
    endorsement, created = Endorsement.objects.get_or_create(
        proposal=proposal, organisation=organisation, defaults={"endorsed_by": user}
    )
    if not created:
        raise ThinktankError(_("Your organisation already endorses this proposal."))
    return endorsement


@transaction.atomic
def withdraw_endorsement(*, proposal, organisation):
    deleted, _details = Endorsement.objects.filter(
        proposal=proposal, organisation=organisation
    ).delete()
    return bool(deleted)


def add_comment(*, proposal, user, organisation, body):
    if not proposal.is_published:
        raise ThinktankError(_("Only published proposals can be commented on."))
    return Comment.objects.create(
        proposal=proposal, author=user, organisation=organisation, body=body
    )


# Follows and notifications --------------------------------------------------------------


def follow(*, user, section="", organisation=None, entry=None):
    target = {"section": section, "organisation": organisation}
    if entry is not None:
        target.update(_target(entry))
    follow_row, _created = Follow.objects.get_or_create(user=user, **target)
    return follow_row


def unfollow(*, user, section="", organisation=None, entry=None):
    target = {"section": section, "organisation": organisation}
    if entry is not None:
        target.update(_target(entry))
    else:
        target.update(content_type=None, object_id=None)
    return Follow.objects.filter(user=user, **target).delete()[0] > 0


def is_following(*, user, section="", organisation=None, entry=None):
    if not user.is_authenticated:
        return False
    target = {"section": section, "organisation": organisation}
    if entry is not None:
        target.update(_target(entry))
    else:
        target.update(content_type=None, object_id=None)
    return Follow.objects.filter(user=user, **target).exists()


def followed_organisation_ids(user):
    """Ids of the organisations ``user`` follows (one query; empty for visitors)."""
    if not user.is_authenticated:
        return set()
    return set(
        Follow.objects.filter(user=user, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )


def notification_settings_for(user):
    settings_row, _created = NotificationSettings.objects.get_or_create(user=user)
    return settings_row


def _notify_after_commit(*, entry, revision, created):
    if entry.status != Status.PUBLISHED:
        return
    from thinktank.tasks import notify_followers

    content_type_id = ContentType.objects.get_for_model(type(entry)).pk
    transaction.on_commit(
        lambda: notify_followers.delay(content_type_id, entry.pk, revision.pk, created)
    )
