"""Gatekeepers of the think tank: who may write, edit, moderate and endorse.

Horizontal by design: any member of a verified organisation writes and edits their
organisation's entries, and every entry marked open may be improved by members of
any verified organisation. Platform staff may do everything.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from oscar.core.loading import get_model

from thinktank.models import Moderation

Partner = get_model("partner", "Partner")


def verified_organisations_of(user):
    """The verified organisations ``user`` belongs to (none for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Partner.objects.none()
    return Partner.objects.filter(users=user, is_verified=True).order_by("name")


def can_write(user):
    """May ``user`` create entries (and comment, review flags)?"""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or verified_organisations_of(user).exists()


def can_moderate(user):
    """Members of verified organisations review the moderation queue."""
    return can_write(user)


def can_edit(user, entry):
    """Members of the entry's organisation edit it; when it is open for editing, so may
    members of every verified organisation. Removed entries stay closed."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if entry.moderation == Moderation.REMOVED:
        return False
    own = verified_organisations_of(user)
    if own.filter(pk=entry.organisation_id).exists():
        return True
    return entry.open_for_editing and own.exists()


def can_delete(user, entry):
    """Only the entry's own organisation (or staff) deletes and restores it."""
    if user is None or not user.is_authenticated:
        return False
    return (
        user.is_staff or verified_organisations_of(user).filter(pk=entry.organisation_id).exists()
    )


def can_see(user, entry):
    """Published entries are public; drafts, scheduled, deleted or hidden entries are
    seen by those who may edit them (and by moderators for hidden ones)."""
    if entry.is_published:
        return True
    if entry.moderation == Moderation.HIDDEN and can_moderate(user):
        return True
    return can_edit(user, entry)


def entry_for_viewer(user, queryset, slug):
    """The entry at ``slug`` if ``user`` may see it; Http404 otherwise."""
    entry = queryset.filter(slug=slug).first()
    if entry is None or not can_see(user, entry):
        raise Http404
    return entry


def entry_for_editor(user, queryset, slug):
    """The entry at ``slug`` if ``user`` may edit it; Http404 when it is not visible to
    them at all, PermissionDenied when they may read but not edit it."""
    entry = entry_for_viewer(user, queryset, slug)
    if not can_edit(user, entry):
        raise PermissionDenied
    return entry


def organisation_for_author(user, organisation_id):
    """One of ``user``'s verified organisations, to sign an entry, flag or endorsement."""
    organisation = verified_organisations_of(user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation
