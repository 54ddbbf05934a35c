"""Gatekeepers of the MENTORS programme: who sees a session and its teleconference room.

The room link is the one secret of a session. It is given only to the session's
participants (a confirmed registration), its mentors and platform staff, and only while
the room is open: from ``Session.room_opens_at`` (15 minutes before the start) until
``Session.ends_at``. Every page that could show the link asks ``can_see_room_link``.
"""

from django.http import Http404
from django.utils import timezone

from mentors.models import Registration
from mentors.selectors import user_registration


def is_session_mentor(user, session):
    """Is ``user`` one of the session's mentors?"""
    if user is None or not user.is_authenticated:
        return False
    return session.mentors.filter(user=user).exists()


def is_confirmed_participant(user, session):
    """Has ``user`` a confirmed place (not the waitlist, not cancelled) in ``session``?"""
    if user is None or not user.is_authenticated:
        return False
    return Registration.objects.filter(
        session=session, user=user, status=Registration.Status.CONFIRMED
    ).exists()


def may_enter_room(user, session):
    """Staff, the session's mentors and confirmed participants may enter its room (at
    the right time: see ``can_see_room_link``)."""
    if user is None or not user.is_authenticated:
        return False
    return (
        user.is_staff or is_session_mentor(user, session) or is_confirmed_participant(user, session)
    )


def room_is_open(session, now=None):
    """From 15 minutes before the start until the end, both included."""
    now = now or timezone.now()
    return session.room_opens_at <= now <= session.ends_at


def can_see_room_link(user, session, now=None):
    """May ``user`` see the session's room link at ``now`` (default: now)? Only staff,
    the session's mentors and confirmed participants, and only while the room is open."""
    return room_is_open(session, now) and may_enter_room(user, session)


class RoomState:
    """What the session page says about the room, for ``room_state``."""

    OPEN = "open"  # the link is shown
    SOON = "soon"  # may enter, the room opens later: "the link appears here at HH:MM"
    WAITLISTED = "waitlisted"  # on the waitlist, before the session is over
    REGISTER = "register"  # anyone else, before the session is over
    ENDED = "ended"  # the session is over: no link for anybody


_LOOK_UP = object()


def room_state(user, session, now=None, *, registration=_LOOK_UP):
    """One of ``RoomState``'s values for ``user`` and ``session`` at ``now``.
    ``registration``: the user's active registration (or None), when already loaded."""
    now = now or timezone.now()
    if now > session.ends_at:
        return RoomState.ENDED
    if may_enter_room(user, session):
        return RoomState.OPEN if room_is_open(session, now) else RoomState.SOON
    if registration is _LOOK_UP:
        registration = user_registration(user, session)
    if registration is not None and registration.status == Registration.Status.WAITLISTED:
        return RoomState.WAITLISTED
    return RoomState.REGISTER


def can_see_session(user, session):
    """Published sessions are public; unpublished ones are seen by staff and their
    mentors only."""
    if session.is_published:
        return True
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or is_session_mentor(user, session)


def session_for_viewer(user, session):
    """``session`` if ``user`` may see it; Http404 when it is missing or hidden."""
    if session is None or not can_see_session(user, session):
        raise Http404
    return session
