"""The room link of a session is given only to its confirmed participants, its mentors
and staff, and only from 15 minutes before the start until the end. The session page
must not carry it in its HTML otherwise.

The session starts on 26 March 2021 at 18:00 in Athens (16:00 UTC) and ends at 20:00;
the room opens at 17:45. The clock is Django's ``timezone.now``, patched in the page tests.
"""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser

from mentors import access
from mentors.models import Registration
from tests.factories import UserFactory
from tests.factories.mentors import (
    MentorProfileFactory,
    RegistrationFactory,
    SessionFactory,
    athens,
)
from tests.factories.thinktank import compact_html

pytestmark = pytest.mark.django_db

STARTS = athens(2021, 3, 26, 18, 0)
OPENS = athens(2021, 3, 26, 17, 45)
BEFORE_WINDOW = OPENS - datetime.timedelta(seconds=1)
DURING = athens(2021, 3, 26, 19, 0)
ENDS = athens(2021, 3, 26, 20, 0)
AFTER = ENDS + datetime.timedelta(seconds=1)
ROOM_URL = "https://zoom.example.org/j/98765?pwd=secret-room"


@pytest.fixture
def session():
    return SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=STARTS,
        room_kind="link",
        room_url=ROOM_URL,
    )


def registered(session, status=Registration.Status.CONFIRMED):
    return RegistrationFactory(session=session, status=status).user


# The gatekeeper ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (BEFORE_WINDOW, False),
        (OPENS, True),
        (STARTS, True),
        (DURING, True),
        (ENDS, True),
        (AFTER, False),
    ],
)
def test_can_see_room_link_confirmed_participant_only_while_the_room_is_open(
    session, now, expected
):
    user = registered(session)

    assert access.can_see_room_link(user, session, now=now) is expected


@pytest.mark.parametrize("now", [BEFORE_WINDOW, OPENS, DURING, ENDS, AFTER])
def test_can_see_room_link_never_for_others(session, now):
    waitlisted = registered(session, Registration.Status.WAITLISTED)
    cancelled = registered(session, Registration.Status.CANCELLED)
    other_session_participant = RegistrationFactory().user
    stranger = UserFactory()
    mentor_of_another_session = MentorProfileFactory()
    SessionFactory(starts_at=STARTS, mentors=[mentor_of_another_session])

    for user in (
        None,
        AnonymousUser(),
        waitlisted,
        cancelled,
        other_session_participant,
        stranger,
        mentor_of_another_session.user,
    ):
        assert access.can_see_room_link(user, session, now=now) is False


@pytest.mark.parametrize(
    ("now", "expected"), [(BEFORE_WINDOW, False), (OPENS, True), (ENDS, True), (AFTER, False)]
)
def test_can_see_room_link_mentor_and_staff_while_the_room_is_open(session, now, expected):
    mentor = MentorProfileFactory()
    session.mentors.add(mentor)
    staff = UserFactory(is_staff=True)

    assert access.can_see_room_link(mentor.user, session, now=now) is expected
    assert access.can_see_room_link(staff, session, now=now) is expected


def test_can_see_room_link_defaults_to_the_current_time(session):
    user = registered(session)

    with mock.patch("django.utils.timezone.now", return_value=DURING):
        assert access.can_see_room_link(user, session) is True
    with mock.patch("django.utils.timezone.now", return_value=BEFORE_WINDOW):
        assert access.can_see_room_link(user, session) is False


def test_room_state_for_each_kind_of_visitor(session):
    confirmed = registered(session)
    waitlisted = registered(session, Registration.Status.WAITLISTED)
    mentor = MentorProfileFactory()
    session.mentors.add(mentor)

    assert access.room_state(AnonymousUser(), session, BEFORE_WINDOW) == "register"
    assert access.room_state(UserFactory(), session, DURING) == "register"
    assert access.room_state(waitlisted, session, DURING) == "waitlisted"
    assert access.room_state(confirmed, session, BEFORE_WINDOW) == "soon"
    assert access.room_state(confirmed, session, OPENS) == "open"
    assert access.room_state(mentor.user, session, BEFORE_WINDOW) == "soon"
    assert access.room_state(mentor.user, session, DURING) == "open"
    assert access.room_state(confirmed, session, AFTER) == "ended"
    assert access.room_state(AnonymousUser(), session, AFTER) == "ended"


def test_can_see_session_unpublished_only_for_its_mentors_and_staff():
    mentor = MentorProfileFactory()
    draft = SessionFactory(is_published=False, mentors=[mentor])

    assert access.can_see_session(AnonymousUser(), draft) is False
    assert access.can_see_session(UserFactory(), draft) is False
    assert access.can_see_session(RegistrationFactory(session=draft).user, draft) is False
    assert access.can_see_session(mentor.user, draft) is True
    assert access.can_see_session(UserFactory(is_staff=True), draft) is True


# The session page -------------------------------------------------------------------------


def page_at(client, session, now, user=None):
    if user is not None:
        client.force_login(user)
    with mock.patch("django.utils.timezone.now", return_value=now):
        response = client.get(f"/en/mentors/sessions/{session.pk}/")
    assert response.status_code == 200
    return response


def room_section(response):
    html = compact_html(response)
    start = html.index('<section class="session-room"')
    return html[start : html.index("</section>", start) + len("</section>")]


JOIN = (
    '<section class="session-room" aria-labelledby="session-room-title">'
    '<h2 id="session-room-title">Teleconference room</h2>'
    f'<p><a class="btn btn-primary" href="{ROOM_URL}" rel="noopener">'
    "Join the teleconference</a></p></section>"
)
REGISTER = (
    '<section class="session-room" aria-labelledby="session-room-title">'
    '<h2 id="session-room-title">Teleconference room</h2>'
    "<p>Register to get the link.</p></section>"
)
SOON = (
    '<section class="session-room" aria-labelledby="session-room-title">'
    '<h2 id="session-room-title">Teleconference room</h2>'
    "<p>The link appears here 15 minutes before the start (at 17:45).</p></section>"
)
WAITLISTED = (
    '<section class="session-room" aria-labelledby="session-room-title">'
    '<h2 id="session-room-title">Teleconference room</h2>'
    "<p>You are on the waitlist: if a place opens for you, the link appears here 15 minutes "
    "before the start.</p></section>"
)


@pytest.mark.parametrize("now", [BEFORE_WINDOW, OPENS, DURING])
def test_session_page_anonymous_never_gets_the_link(client, session, now):
    response = page_at(client, session, now)

    assert ROOM_URL not in response.content.decode()
    assert "secret-room" not in response.content.decode()
    assert room_section(response) == REGISTER


@pytest.mark.parametrize("now", [BEFORE_WINDOW, DURING])
def test_session_page_signed_in_unregistered_user_never_gets_the_link(client, session, now):
    response = page_at(client, session, now, user=UserFactory())

    assert ROOM_URL not in response.content.decode()
    assert room_section(response) == REGISTER


@pytest.mark.parametrize("now", [BEFORE_WINDOW, DURING])
def test_session_page_waitlisted_user_never_gets_the_link(client, session, now):
    user = registered(session, Registration.Status.WAITLISTED)

    response = page_at(client, session, now, user=user)

    assert ROOM_URL not in response.content.decode()
    assert room_section(response) == WAITLISTED


def test_session_page_cancelled_registration_gets_no_link(client, session):
    user = registered(session, Registration.Status.CANCELLED)

    response = page_at(client, session, DURING, user=user)

    assert ROOM_URL not in response.content.decode()
    assert room_section(response) == REGISTER


def test_session_page_registered_user_before_the_window_is_told_when(client, session):
    user = registered(session)

    response = page_at(client, session, BEFORE_WINDOW, user=user)

    assert ROOM_URL not in response.content.decode()
    assert room_section(response) == SOON


@pytest.mark.parametrize("now", [OPENS, DURING, ENDS])
def test_session_page_registered_user_within_the_window_gets_the_link(client, session, now):
    user = registered(session)

    response = page_at(client, session, now, user=user)

    assert room_section(response) == JOIN
    assert response.content.decode().count(ROOM_URL) == 1


def test_session_page_after_the_end_has_no_room_and_no_link(client, session):
    user = registered(session)

    response = page_at(client, session, AFTER, user=user)

    html = response.content.decode()
    assert ROOM_URL not in html
    assert 'class="session-room"' not in html
    assert '<p class="alert alert-info" role="status">This session has taken place.</p>' in html


def test_session_page_mentor_gets_the_link_within_the_window_only(client, session):
    mentor = MentorProfileFactory()
    session.mentors.add(mentor)

    before = page_at(client, session, BEFORE_WINDOW, user=mentor.user)
    during = page_at(client, session, OPENS, user=mentor.user)

    assert ROOM_URL not in before.content.decode()
    assert room_section(before) == SOON
    assert room_section(during) == JOIN


def test_session_page_generated_jitsi_room_is_hidden_the_same_way(client, settings):
    settings.JITSI_SERVER_URL = "https://jitsi.coopsociety.example/"
    session = SessionFactory(starts_at=STARTS)
    link = f"https://jitsi.coopsociety.example/{session.jitsi_room}"
    user = registered(session)

    stranger_page = page_at(client, session, DURING, user=UserFactory())
    participant_page = page_at(client, session, DURING, user=user)

    assert session.jitsi_room not in stranger_page.content.decode()
    assert f'<a class="btn btn-primary" href="{link}" rel="noopener">' in (
        participant_page.content.decode()
    )


def test_session_page_unpublished_is_not_found_for_visitors(client):
    mentor = MentorProfileFactory()
    draft = SessionFactory(is_published=False, mentors=[mentor])

    assert client.get(f"/en/mentors/sessions/{draft.pk}/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/en/mentors/sessions/{draft.pk}/").status_code == 404
    client.force_login(mentor.user)
    response = client.get(f"/en/mentors/sessions/{draft.pk}/")
    assert response.status_code == 200
    assert (
        '<p class="alert alert-warning" role="status">Not published: only its mentors and the '
        "platform's staff see this session.</p>"
    ) in response.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db
def test_mentor_photo_must_be_a_real_image():
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.mentors import MentorProfileFactory

    mentor = MentorProfileFactory()
    mentor.photo = SimpleUploadedFile("photo.jpg", b"not an image at all", "image/jpeg")

    with pytest.raises(ValidationError) as refusal:
        mentor.full_clean()

    assert list(refusal.value.message_dict) == ["photo"]
