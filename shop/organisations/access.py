"""Gatekeepers: who may act for an organisation. Every member-only view goes through here."""

from django.http import Http404
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")


def is_member(user, organisation):
    """True when ``user`` is signed in and one of ``organisation``'s members."""
    if user is None or not user.is_authenticated or organisation is None:
        return False
    return organisation.users.filter(pk=user.pk).exists()


def organisation_for_member(user, slug):
    """The organisation at ``slug`` if ``user`` is one of its members.

    Raises Http404 otherwise, also when the organisation exists, so that a stranger
    cannot tell a members' page from a missing one.
    """
    if user is None or not user.is_authenticated:
        raise Http404
    organisation = Partner.objects.filter(code=slug, users=user).first()
    if organisation is None:
        raise Http404
    return organisation
