"""Registration for sessions and seminars (mentors/services/registrations.py and
mentors/views/registrations.py): places, the waitlist and its promotions, the e-mails
with their calendar file, the account page, the session page's registration box, and
the attendee list (page and CSV) with its permissions."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.template.loader import get_template
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import clear_url_caches, reverse
from django.utils import timezone, translation
from icalendar import Calendar

from mentors.models import Registration
from mentors.services import registrations as services
from tests.factories import OrganisationFactory, UserFactory
from tests.factories.mentors import (
    MentorProfileFactory,
    RegistrationFactory,
    SeminarFactory,
    SessionFactory,
    athens,
)

pytestmark = pytest.mark.django_db

CONFIRMED = Registration.Status.CONFIRMED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED
SITE = "http://testserver.example"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the after-commit callbacks (the e-mail tasks) at the end of a block, as the
    commit of a real request does; a test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def english_emails():
    """E-mails are written in the site's default language; the English texts are the
    msgids, so the exact texts below do not change when the Greek catalogue does. The
    URL resolver caches each language's prefix: clear it on both sides of the switch."""
    with override_settings(LANGUAGE_CODE="en", SITE_URL=SITE):
        clear_url_caches()
        yield
    clear_url_caches()


def en(name, **kwargs):
    """The English address of a page of the programme."""
    with translation.override("en"):
        return reverse(f"mentors:{name}", kwargs=kwargs)


def statuses(session):
    return list(
        Registration.objects.filter(session=session)
        .order_by("created_at", "pk")
        .values_list("user__email", "status")
    )


def calendar_events(message):
    """The VEVENTs of every .ics attachment of ``message``."""
    events = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        assert mimetype == "text/calendar"
        assert filename.endswith(".ics")
        events.extend(Calendar.from_ical(content).walk("VEVENT"))
    return events


def english(error):
    """The message of a refused action, in English (messages are lazy translations)."""
    with translation.override("en"):
        return str(error.value)


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


# Places and the waitlist ------------------------------------------------------------------


def test_register_confirms_while_places_are_free_then_waitlists(english_emails, commit):
    session = SessionFactory(capacity=2)
    users = [UserFactory(email=f"person{n}@example.org") for n in range(3)]

    made = []
    for user in users:
        with commit():
            made.append(services.register(session=session, user=user))

    assert [registration.status for registration in made] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert statuses(session) == [
        ("person0@example.org", CONFIRMED),
        ("person1@example.org", CONFIRMED),
        ("person2@example.org", WAITLISTED),
    ]
    assert services.seats_left(session) == 0
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["person0@example.org"], f"Your place is confirmed: {session.title}"),
        (["person1@example.org"], f"Your place is confirmed: {session.title}"),
        (["person2@example.org"], f"You are on the waitlist: {session.title}"),
    ]
    assert "This MENTORS session is full. You are number 1 on the waitlist." in mail.outbox[2].body
    assert mail.outbox[2].attachments == []


def test_register_without_capacity_confirms_everyone():
    session = SessionFactory(capacity=None)

    made = [services.register(session=session, user=UserFactory()) for _ in range(5)]

    assert {registration.status for registration in made} == {CONFIRMED}
    assert services.seats_left(session) is None


def test_seats_left_counts_only_confirmed_places():
    session = SessionFactory(capacity=3)
    RegistrationFactory(session=session, status=CONFIRMED)
    RegistrationFactory(session=session, status=CANCELLED)
    RegistrationFactory(session=session, status=WAITLISTED)

    assert services.seats_left(session) == 2


def test_waitlist_order_follows_registration_time(english_emails, commit):
    session = SessionFactory(capacity=1)
    services.register(session=session, user=UserFactory(email="first@example.org"))
    with commit():
        waiting = [
            services.register(session=session, user=UserFactory(email=f"wait{n}@example.org"))
            for n in range(3)
        ]

    positions = services.with_waitlist_position(
        Registration.objects.filter(status=WAITLISTED)
    ).order_by("created_at", "pk")

    assert [(row.pk, row.waitlist_position) for row in positions] == [
        (waiting[0].pk, 1),
        (waiting[1].pk, 2),
        (waiting[2].pk, 3),
    ]
    assert "You are number 3 on the waitlist." in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["wait2@example.org"]


def test_register_twice_is_refused_and_changes_nothing(commit):
    session = SessionFactory(capacity=5)
    user = UserFactory()
    first = services.register(session=session, user=user)

    with commit(), pytest.raises(services.RegistrationError) as error:
        services.register(session=session, user=user)

    assert english(error) == "You are already registered for this session."
    assert list(Registration.objects.values_list("pk", "status")) == [(first.pk, CONFIRMED)]
    assert mail.outbox == []


def test_register_on_the_waitlist_twice_is_refused():
    session = SessionFactory(capacity=0)
    user = UserFactory()
    services.register(session=session, user=user)

    with pytest.raises(services.RegistrationError) as error:
        services.register(session=session, user=user)

    assert english(error) == "You are already on the waitlist of this session."
    assert Registration.objects.count() == 1


def test_register_for_a_past_session_is_refused(commit):
    session = SessionFactory(starts_at=later(-180))  # ended an hour ago
    user = UserFactory()

    with commit(), pytest.raises(services.RegistrationError) as error:
        services.register(session=session, user=user)

    assert english(error) == "This session is over: registration is closed."
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_register_for_a_session_under_way_is_accepted():
    session = SessionFactory(starts_at=later(-30))

    registration = services.register(session=session, user=UserFactory())

    assert registration.status == CONFIRMED


def test_register_for_an_unpublished_session_is_refused():
    session = SessionFactory(is_published=False)

    with pytest.raises(services.RegistrationError) as error:
        services.register(session=session, user=UserFactory())

    assert english(error) == "This session is not open for registration."
    assert Registration.objects.count() == 0


def test_register_again_after_cancelling_reuses_the_row_at_the_end_of_the_waitlist():
    session = SessionFactory(capacity=1)
    services.register(session=session, user=UserFactory())
    returning = UserFactory()
    first = services.register(session=session, user=returning)
    services.cancel(registration=first, by=returning)
    other = services.register(session=session, user=UserFactory())

    again = services.register(session=session, user=returning)

    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.status, again.cancelled_at, again.promoted_at) == (WAITLISTED, None, None)
    positions = dict(
        services.with_waitlist_position(Registration.objects.filter(status=WAITLISTED)).values_list(
            "pk", "waitlist_position"
        )
    )
    assert positions == {other.pk: 1, again.pk: 2}


def test_register_gives_a_free_place_to_the_waitlist_first():
    """A place freed without a cancellation (the capacity was raised) goes to the
    person waiting, not to the newcomer."""
    session = SessionFactory(capacity=1)
    services.register(session=session, user=UserFactory())
    waiting = services.register(session=session, user=UserFactory())
    session.capacity = 2
    session.save()

    newcomer = services.register(session=session, user=UserFactory())

    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    assert waiting.promoted_at is not None
    assert newcomer.status == WAITLISTED


# Cancelling and promotion -----------------------------------------------------------------


def test_cancel_promotes_the_earliest_waitlisted_person_with_an_email(english_emails, commit):
    session = SessionFactory(capacity=1, starts_at=athens(2030, 3, 26, 18))
    leaving = UserFactory(email="leaving@example.org")
    first_waiting = UserFactory(email="first-waiting@example.org")
    second_waiting = UserFactory(email="second-waiting@example.org")
    registration = services.register(session=session, user=leaving)
    services.register(session=session, user=first_waiting)
    services.register(session=session, user=second_waiting)
    with commit():
        services.cancel(registration=registration, by=leaving)

    assert statuses(session) == [
        ("leaving@example.org", CANCELLED),
        ("first-waiting@example.org", CONFIRMED),
        ("second-waiting@example.org", WAITLISTED),
    ]
    promoted = Registration.objects.get(user=first_waiting)
    cancelled = Registration.objects.get(user=leaving)
    assert promoted.promoted_at is not None
    assert cancelled.cancelled_at == promoted.promoted_at
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["first-waiting@example.org"], f"A place opened up for you: {session.title}"),
        (["leaving@example.org"], f"Registration cancelled: {session.title}"),
    ]
    promotion = mail.outbox[0]
    assert [attachment[0] for attachment in promotion.attachments] == [f"session-{session.pk}.ics"]
    [event] = calendar_events(promotion)
    assert str(event["SUMMARY"]) == session.title
    assert event.decoded("DTSTART") == athens(2030, 3, 26, 18)
    assert "your place in this MENTORS session is now confirmed" in promotion.body
    assert calendar_events(mail.outbox[1]) == []


def test_cancel_of_a_waitlisted_place_promotes_nobody(commit):
    session = SessionFactory(capacity=1)
    services.register(session=session, user=UserFactory(email="in@example.org"))
    waiting_user = UserFactory(email="waiting@example.org")
    waiting = services.register(session=session, user=waiting_user)
    services.register(session=session, user=UserFactory(email="last@example.org"))
    with commit():
        services.cancel(registration=waiting, by=waiting_user)

    assert statuses(session) == [
        ("in@example.org", CONFIRMED),
        ("waiting@example.org", CANCELLED),
        ("last@example.org", WAITLISTED),
    ]
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]


def test_cancel_by_another_user_is_refused_and_changes_nothing(commit):
    session = SessionFactory(capacity=1)
    owner = UserFactory()
    registration = services.register(session=session, user=owner)
    waiting = services.register(session=session, user=UserFactory())
    with commit(), pytest.raises(PermissionDenied):
        services.cancel(registration=registration, by=UserFactory())

    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert (registration.status, registration.cancelled_at) == (CONFIRMED, None)
    assert (waiting.status, waiting.promoted_at) == (WAITLISTED, None)
    assert mail.outbox == []


def test_cancel_by_staff_is_allowed():
    registration = services.register(session=SessionFactory(), user=UserFactory())

    services.cancel(registration=registration, by=UserFactory(is_staff=True))

    registration.refresh_from_db()
    assert registration.status == CANCELLED


def test_cancel_twice_is_refused():
    user = UserFactory()
    registration = services.register(session=SessionFactory(), user=user)
    services.cancel(registration=registration, by=user)

    with pytest.raises(services.RegistrationError) as error:
        services.cancel(registration=registration, by=user)

    assert english(error) == "This registration is already cancelled."


def test_cancel_after_the_session_is_refused():
    session = SessionFactory(starts_at=later(-180))
    registration = RegistrationFactory(session=session)

    with pytest.raises(services.RegistrationError) as error:
        services.cancel(registration=registration, by=registration.user)

    assert english(error) == "This session is over: its registrations are kept."
    registration.refresh_from_db()
    assert registration.status == CONFIRMED


# E-mails ------------------------------------------------------------------------------------


def test_confirmation_email_is_exact_with_a_calendar_file_and_no_room_link(english_emails, commit):
    mentor = MentorProfileFactory(user__first_name="Ελένη", user__last_name="Αλεξίου")
    seminar = SeminarFactory(title="Σεμινάριο Κρήτης")
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=athens(2030, 3, 26, 18),
        mentors=[mentor],
        seminar=seminar,
    )
    user = UserFactory(email="maria@example.org", first_name="Μαρία", last_name="Νικολάου")

    with commit():
        services.register(session=session, user=user)

    [message] = mail.outbox
    assert message.to == ["maria@example.org"]
    assert message.subject == "Your place is confirmed: Κοινωνικά αγροκτήματα"
    assert message.body == (
        "Hello Μαρία Νικολάου,\n"
        "\n"
        "Your place in this MENTORS session is confirmed:\n"
        "\n"
        "Κοινωνικά αγροκτήματα\n"
        "Date and time: Tuesday 26 March 2030, 18:00–20:00 (Greece time)\n"
        "Theme: The agri-food sector\n"
        "Mentors: Ελένη Αλεξίου\n"
        "Seminar: Σεμινάριο Κρήτης\n"
        f"Session page: {SITE}/mentors/sessions/{session.pk}/\n"
        "\n"
        "The link to the teleconference room is not sent by e-mail: it appears on the "
        "session page 15 minutes before the start, when you are signed in.\n"
        "The attached calendar file adds the session to your calendar.\n"
        "\n"
        "If you cannot attend, please cancel your registration, so that the first person "
        "on the waitlist gets your place.\n"
        "\n"
        "Your registrations, and cancelling them:\n"
        f"{SITE}/mentors/registrations/\n"
        "\n"
        "MENTORS programme of the Cooperative Society\n"
    )
    [event] = calendar_events(message)
    assert str(event["SUMMARY"]) == "Κοινωνικά αγροκτήματα"
    assert event.decoded("DTSTART") == athens(2030, 3, 26, 18)
    for secret in (session.room_link, session.jitsi_room):
        assert secret not in message.body
        assert secret not in message.attachments[0][1]


def test_no_email_ever_contains_an_entered_room_link(english_emails, commit):
    seminar = SeminarFactory()
    session = SessionFactory(
        capacity=1,
        room_kind="link",
        room_url="https://zoom.example.org/j/123456",
        seminar=seminar,
    )
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    with commit():
        registration = services.register(session=session, user=first)
    with commit():
        services.register(session=session, user=second)
    with commit():
        services.cancel(registration=registration, by=first)
    with commit():
        services.register_for_seminar(seminar=seminar, user=third)
    services.send_due_reminders(now=session.starts_at - datetime.timedelta(minutes=30))

    # Confirmation, waitlist, promotion, cancellation, seminar, reminder.
    assert len(mail.outbox) == 6
    for message in mail.outbox:
        assert "zoom.example.org" not in message.subject + message.body
        for attachment in message.attachments:
            assert "zoom.example.org" not in attachment[1]


def test_email_is_not_sent_when_the_registration_changed_before_sending():
    registration = RegistrationFactory(status=CANCELLED)

    assert services.send_registration_email(registration=registration, kind="confirmed") == 0
    assert mail.outbox == []


# Seminars -----------------------------------------------------------------------------------


def test_register_for_seminar_registers_every_upcoming_session(english_emails, commit):
    seminar = SeminarFactory(title="Τριήμερο σεμινάριο")
    user = UserFactory(email="trainee@example.org")
    past = SessionFactory(seminar=seminar, starts_at=later(-24 * 60))
    first = SessionFactory(seminar=seminar, starts_at=later(2 * 24 * 60), title="Πρώτο δίωρο")
    already = SessionFactory(seminar=seminar, starts_at=later(3 * 24 * 60), title="Δεύτερο")
    full = SessionFactory(seminar=seminar, starts_at=later(4 * 24 * 60), capacity=1)
    hidden = SessionFactory(seminar=seminar, starts_at=later(5 * 24 * 60), is_published=False)
    other_seminar = SessionFactory(seminar=SeminarFactory(), starts_at=later(60))
    RegistrationFactory(session=already, user=user)
    RegistrationFactory(session=full)

    with commit():
        made = services.register_for_seminar(seminar=seminar, user=user)

    assert [(registration.session, registration.status) for registration in made] == [
        (first, CONFIRMED),
        (full, WAITLISTED),
    ]
    assert set(Registration.objects.filter(user=user).values_list("session", "status")) == {
        (first.pk, CONFIRMED),
        (already.pk, CONFIRMED),
        (full.pk, WAITLISTED),
    }
    for untouched in (past, hidden, other_seminar):
        assert not Registration.objects.filter(session=untouched, user=user).exists()
    [message] = mail.outbox
    assert message.to == ["trainee@example.org"]
    assert message.subject == "Your registration for the seminar: Τριήμερο σεμινάριο"
    assert "Place confirmed.\nΠρώτο δίωρο\n" in message.body
    assert f"Full: you are number 1 on the waitlist.\n{full.title}\n" in message.body
    assert [str(event["SUMMARY"]) for event in calendar_events(message)] == ["Πρώτο δίωρο"]


def test_register_for_seminar_twice_skips_every_session(commit):
    seminar = SeminarFactory()
    SessionFactory(seminar=seminar)
    user = UserFactory()
    services.register_for_seminar(seminar=seminar, user=user)

    with commit():
        assert services.register_for_seminar(seminar=seminar, user=user) == []
    assert Registration.objects.count() == 1
    assert mail.outbox == []


def test_register_for_seminar_without_upcoming_sessions_is_refused():
    seminar = SeminarFactory()
    SessionFactory(seminar=seminar, starts_at=later(-24 * 60))

    with pytest.raises(services.RegistrationError) as error:
        services.register_for_seminar(seminar=seminar, user=UserFactory())

    assert english(error) == "This seminar has no upcoming sessions."
    assert Registration.objects.count() == 0


# Views: register and cancel -----------------------------------------------------------------


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_session_register_view_registers_the_signed_in_user(client):
    session = SessionFactory(capacity=3)
    user = UserFactory()
    client.force_login(user)

    response = client.post(en("session-register", pk=session.pk))

    assert response.status_code == 302
    assert response["Location"] == en("session", pk=session.pk)
    assert list(Registration.objects.values_list("user", "status")) == [(user.pk, CONFIRMED)]
    assert messages_of(response) == [
        "Your place is confirmed. We sent you an e-mail with the calendar file."
    ]


def test_session_register_view_puts_the_user_on_the_waitlist_when_full(client):
    session = SessionFactory(capacity=0)
    client.force_login(UserFactory())

    response = client.post(en("session-register", pk=session.pk))

    assert Registration.objects.get().status == WAITLISTED
    assert messages_of(response) == [
        "The session is full: you are on the waitlist. We will e-mail you if a place opens up."
    ]


def test_session_register_view_sends_anonymous_visitors_to_the_login_page(client):
    session = SessionFactory()

    response = client.post(en("session-register", pk=session.pk))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/en/mentors/sessions/{session.pk}/"
    assert Registration.objects.count() == 0


def test_session_register_view_refuses_get(client):
    session = SessionFactory()
    client.force_login(UserFactory())

    response = client.get(en("session-register", pk=session.pk))

    assert response.status_code == 405
    assert Registration.objects.count() == 0


def test_session_register_view_for_a_past_session_shows_the_error(client):
    session = SessionFactory(starts_at=later(-180))
    client.force_login(UserFactory())

    response = client.post(en("session-register", pk=session.pk))

    assert messages_of(response) == ["This session is over: registration is closed."]
    assert Registration.objects.count() == 0


def test_session_register_view_for_an_unpublished_session_is_404(client):
    session = SessionFactory(is_published=False)
    client.force_login(UserFactory())

    response = client.post(en("session-register", pk=session.pk))

    assert response.status_code == 404
    assert Registration.objects.count() == 0


def test_seminar_register_view_registers_every_upcoming_session(client):
    seminar = SeminarFactory()
    SessionFactory(seminar=seminar, starts_at=later(60 * 24))
    SessionFactory(seminar=seminar, starts_at=later(60 * 48), capacity=0)
    user = UserFactory()
    client.force_login(user)

    response = client.post(en("seminar-register", slug=seminar.slug))

    assert response.status_code == 302
    assert response["Location"] == en("seminar", slug=seminar.slug)
    assert sorted(Registration.objects.filter(user=user).values_list("status", flat=True)) == [
        CONFIRMED,
        WAITLISTED,
    ]
    assert messages_of(response) == [
        "You registered for 2 sessions. 1 of them is full: you are on its waitlist."
    ]


def test_seminar_register_view_when_already_registered(client):
    seminar = SeminarFactory()
    session = SessionFactory(seminar=seminar)
    user = UserFactory()
    RegistrationFactory(session=session, user=user)
    client.force_login(user)

    response = client.post(en("seminar-register", slug=seminar.slug))

    assert messages_of(response) == ["You were already registered for every upcoming session."]
    assert Registration.objects.count() == 1


def test_registration_cancel_view_by_the_owner_cancels_and_promotes(client):
    session = SessionFactory(capacity=1)
    owner = UserFactory()
    registration = services.register(session=session, user=owner)
    waiting = services.register(session=session, user=UserFactory())
    client.force_login(owner)

    response = client.post(en("registration-cancel", pk=registration.pk))

    assert response.status_code == 302
    assert response["Location"] == en("my-registrations")
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert (registration.status, waiting.status) == (CANCELLED, CONFIRMED)
    assert messages_of(response) == ["Your registration is cancelled."]


def test_registration_cancel_view_returns_to_a_local_next_address_only(client):
    owner = UserFactory()
    first = RegistrationFactory(user=owner)
    second = RegistrationFactory(user=owner)
    client.force_login(owner)
    page = en("session", pk=first.session.pk)

    local = client.post(en("registration-cancel", pk=first.pk), {"next": page})
    foreign = client.post(
        en("registration-cancel", pk=second.pk), {"next": "https://evil.example.org/"}
    )

    assert local["Location"] == page
    assert foreign["Location"] == en("my-registrations")


def test_registration_cancel_view_by_another_user_is_404_and_changes_nothing(client, commit):
    session = SessionFactory(capacity=1)
    registration = services.register(session=session, user=UserFactory())
    waiting = services.register(session=session, user=UserFactory())
    client.force_login(UserFactory())

    with commit():
        response = client.post(en("registration-cancel", pk=registration.pk))

    assert response.status_code == 404
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert (registration.status, registration.cancelled_at) == (CONFIRMED, None)
    assert (waiting.status, waiting.promoted_at) == (WAITLISTED, None)
    assert mail.outbox == []


def test_registration_cancel_view_sends_anonymous_visitors_to_the_login_page(client):
    registration = RegistrationFactory()

    response = client.post(en("registration-cancel", pk=registration.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    registration.refresh_from_db()
    assert registration.status == CONFIRMED


# The account page ---------------------------------------------------------------------------


def test_my_registrations_page_lists_upcoming_and_past_sessions(client):
    user = UserFactory()
    soon = SessionFactory(title="Σύντομα", starts_at=athens(2030, 3, 26, 18), capacity=1)
    RegistrationFactory(session=soon)
    waiting = RegistrationFactory(session=soon, user=user, status=WAITLISTED)
    confirmed = RegistrationFactory(
        session=SessionFactory(title="Αργότερα", starts_at=athens(2030, 4, 2, 10)), user=user
    )
    RegistrationFactory(session=SessionFactory(title="Ακυρωμένη"), user=user, status=CANCELLED)
    RegistrationFactory(
        session=SessionFactory(title="Παλιά", starts_at=athens(2021, 3, 26, 18)), user=user
    )
    RegistrationFactory(session=SessionFactory(title="Άλλου"))
    client.force_login(user)

    response = client.get(en("my-registrations"))

    assert response.status_code == 200
    assert [row.pk for row in response.context["upcoming"]] == [waiting.pk, confirmed.pk]
    assert [row.session.title for row in response.context["past"]] == ["Παλιά"]
    html = response.content.decode()
    assert "<td>Waitlist, number 1</td>" in html
    assert "<td>Confirmed</td>" in html
    assert "<td>Took part</td>" in html
    assert "Ακυρωμένη" not in html
    assert "Άλλου" not in html
    assert f'action="{en("registration-cancel", pk=waiting.pk)}"' in html
    assert f'action="{en("registration-cancel", pk=confirmed.pk)}"' in html
    assert html.count('action="/en/mentors/registrations/') == 2


def test_my_registrations_page_requires_login(client):
    response = client.get(en("my-registrations"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/en/mentors/registrations/"


@pytest.mark.parametrize("count", [1, 30])
def test_my_registrations_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    user = UserFactory()
    for n in range(count):
        RegistrationFactory(
            user=user,
            session=SessionFactory(seminar=SeminarFactory(), capacity=0),
            status=WAITLISTED if n % 2 else CONFIRMED,
        )
        RegistrationFactory(user=user, session=SessionFactory(starts_at=later(-24 * 60 - n)))
    client.force_login(user)

    # The layout's (session, user, basket, notifications…) and one for the
    # registrations with their sessions and waitlist positions.
    with django_assert_num_queries(6):
        response = client.get(en("my-registrations"))

    assert len(response.context["upcoming"]) == count
    assert len(response.context["past"]) == count


# The registration box of the session page ---------------------------------------------------


def render_panel(session, user=None):
    request = RequestFactory().get(f"/en/mentors/sessions/{session.pk}/")
    request.user = user or AnonymousUser()
    with translation.override("en"):
        return get_template("mentors/registrations/session_panel.html").render(
            {"session": session, "request": request}
        )


def test_session_panel_for_an_anonymous_visitor_links_to_the_login_page():
    session = SessionFactory(capacity=10)
    RegistrationFactory(session=session)

    html = render_panel(session)

    assert "9 places left of 10." in html
    assert (
        f'<a class="btn btn-primary" href="/en/accounts/login/?next=/en/mentors/sessions/'
        f'{session.pk}/">Log in to register</a>'
    ) in html
    assert "Register</button>" not in html


def test_session_panel_for_a_signed_in_user_offers_the_register_button():
    session = SessionFactory(capacity=None)

    html = render_panel(session, UserFactory())

    assert "No limit on places." in html
    assert f'action="/en/mentors/sessions/{session.pk}/register/"' in html
    assert '<button type="submit" class="btn btn-primary">Register</button>' in html


def test_session_panel_when_full_offers_the_waitlist():
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=WAITLISTED)

    html = render_panel(session, UserFactory())

    assert (
        "All places are taken: new registrations join the waitlist. "
        "1 person is on the waitlist." in html
    )
    assert '<button type="submit" class="btn btn-primary">Join the waitlist</button>' in html


def test_session_panel_shows_a_confirmed_place_with_cancel():
    session = SessionFactory(capacity=2)
    registration = RegistrationFactory(session=session)

    html = render_panel(session, registration.user)

    assert "You are registered: your place is confirmed." in html
    assert f'action="/en/mentors/registrations/{registration.pk}/cancel/"' in html
    assert "Cancel my registration</button>" in html
    assert "Register</button>" not in html


def test_session_panel_shows_the_waitlist_position():
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=WAITLISTED)
    mine = RegistrationFactory(session=session, status=WAITLISTED)

    html = render_panel(session, mine.user)

    assert "You are number 2 on the waitlist." in html
    assert "Leave the waitlist</button>" in html


def test_session_panel_after_a_cancellation_offers_to_register_again():
    registration = RegistrationFactory(status=CANCELLED)

    html = render_panel(registration.session, registration.user)

    assert '<button type="submit" class="btn btn-primary">Register</button>' in html
    assert "cancel/" not in html


def test_session_panel_of_a_past_session_is_closed():
    session = SessionFactory(starts_at=later(-180))

    html = render_panel(session, UserFactory())

    assert "This session is over: registration is closed." in html
    assert "<button" not in html


def test_session_panel_links_mentors_to_the_attendee_list():
    mentor = MentorProfileFactory()
    session = SessionFactory(mentors=[mentor])

    assert f'href="/en/mentors/sessions/{session.pk}/attendees/"' in render_panel(
        session, mentor.user
    )
    assert "attendees/" not in render_panel(session, UserFactory())


@pytest.mark.parametrize("count", [1, 30])
def test_session_panel_query_count_does_not_grow(django_assert_num_queries, count):
    session = SessionFactory(capacity=count)
    for _ in range(count):
        RegistrationFactory(session=session)
        RegistrationFactory(session=session, status=WAITLISTED)
    user = UserFactory()
    RegistrationFactory(session=session, user=user, status=WAITLISTED)

    # Places, the user's registration with its position, mentor or not.
    with django_assert_num_queries(3):
        signed_in = render_panel(session, user)
    with django_assert_num_queries(1):
        anonymous = render_panel(session)

    assert f"You are number {count + 1} on the waitlist." in signed_in
    assert "Log in to register" in anonymous


def test_session_page_shows_the_registration_panel(client):
    session = SessionFactory(capacity=5)
    client.force_login(UserFactory())

    html = client.get(en("session", pk=session.pk)).content.decode()

    assert '<h2 id="session-registration-title">Registration</h2>' in html
    assert f'action="/en/mentors/sessions/{session.pk}/register/"' in html


# Attendee list ------------------------------------------------------------------------------


@pytest.fixture
def attended_session():
    """A session of mentor Ελένη with two confirmed places and one person waiting."""
    mentor = MentorProfileFactory(user__email="mentor@example.org")
    session = SessionFactory(capacity=2, mentors=[mentor], title="Δίωρο αγροδιατροφής")
    cooperative = OrganisationFactory(name="Αγροτικός Συνεταιρισμός Πεζών")
    energy = OrganisationFactory(name="=Ενεργειακή Κοινότητα")
    maria = UserFactory(email="maria@example.org", first_name="Μαρία", last_name="Νικολάου")
    maria.partners.add(cooperative, energy)
    plotter = UserFactory(email="plotter@example.org", first_name="@SUM(A1:A9)", last_name="")
    nikos = UserFactory(email="nikos@example.org", first_name="Νίκος", last_name="Παππάς")
    RegistrationFactory(
        session=session, user=maria, created_at=athens(2030, 3, 1, 9, 30), status=CONFIRMED
    )
    RegistrationFactory(
        session=session, user=nikos, created_at=athens(2030, 3, 2, 9, 0), status=WAITLISTED
    )
    RegistrationFactory(
        session=session, user=plotter, created_at=athens(2030, 3, 1, 18, 5), status=CONFIRMED
    )
    RegistrationFactory(session=session, created_at=athens(2030, 3, 1, 8), status=CANCELLED)
    RegistrationFactory(created_at=athens(2030, 3, 1, 8))  # another session
    return session, mentor


def test_attendees_csv_content_is_exact(client, attended_session):
    session, mentor = attended_session
    client.force_login(mentor.user)

    response = client.get(en("session-attendees-csv", pk=session.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="session-{session.pk}-attendees.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Status", "Name", "E-mail", "Organisations", "Registered at"],
        [
            "Confirmed",
            "Μαρία Νικολάου",
            "maria@example.org",
            "'=Ενεργειακή Κοινότητα; Αγροτικός Συνεταιρισμός Πεζών",
            "2030-03-01 09:30",
        ],
        ["Confirmed", "'@SUM(A1:A9)", "plotter@example.org", "", "2030-03-01 18:05"],
        ["On the waitlist", "Νίκος Παππάς", "nikos@example.org", "", "2030-03-02 09:00"],
    ]


def test_attendees_csv_neutralises_every_formula_prefix():
    from mentors.views.registrations import _cell

    assert [_cell(value) for value in ("=1+1", "+30", "-2", "@A1", "\tx", "Μαρία", "")] == [
        "'=1+1",
        "'+30",
        "'-2",
        "'@A1",
        "'\tx",
        "Μαρία",
        "",
    ]


def test_attendees_page_lists_confirmed_then_waitlisted(client, attended_session):
    session, mentor = attended_session
    client.force_login(mentor.user)

    response = client.get(en("session-attendees", pk=session.pk))

    assert response.status_code == 200
    assert [row.user.email for row in response.context["confirmed"]] == [
        "maria@example.org",
        "plotter@example.org",
    ]
    assert [row.user.email for row in response.context["waitlisted"]] == ["nikos@example.org"]
    html = response.content.decode()
    assert '<h2 id="attendees-confirmed-title">Confirmed places (2)</h2>' in html
    assert '<h2 id="attendees-waitlisted-title">Waitlist, in order (1)</h2>' in html
    assert (
        '<th scope="row">Μαρία Νικολάου</th>\n'
        '                <td><a href="mailto:maria@example.org">maria@example.org</a></td>\n'
        "                <td>=Ενεργειακή Κοινότητα; Αγροτικός Συνεταιρισμός Πεζών</td>\n"
        '                <td><time datetime="2030-03-01T09:30:00+02:00">'
        "2030-03-01 09:30</time></td>"
    ) in html
    assert html.index("maria@example.org") < html.index("nikos@example.org")
    assert f'href="/en/mentors/sessions/{session.pk}/attendees.csv"' in html


ATTENDEE_PAGES = ["session-attendees", "session-attendees-csv"]


@pytest.mark.parametrize("page", ATTENDEE_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("session mentor", 200),
        ("staff", 200),
        ("mentor of another session", 403),
        ("participant", 403),
        ("signed-in user", 403),
    ],
)
def test_attendees_pages_permissions(client, attended_session, page, who, status):
    session, mentor = attended_session
    users = {
        "session mentor": lambda: mentor.user,
        "staff": lambda: UserFactory(is_staff=True),
        "mentor of another session": lambda: (
            SessionFactory(mentors=[MentorProfileFactory()]).mentors.get().user
        ),
        "participant": lambda: Registration.objects.filter(session=session).first().user,
        "signed-in user": UserFactory,
    }
    client.force_login(users[who]())

    response = client.get(en(page, pk=session.pk))

    assert response.status_code == status
    if status == 403:
        assert "maria@example.org" not in response.content.decode()


@pytest.mark.parametrize("page", ATTENDEE_PAGES)
def test_attendees_pages_send_anonymous_visitors_to_the_login_page(client, page):
    session = SessionFactory()

    response = client.get(en(page, pk=session.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", ATTENDEE_PAGES)
def test_attendees_pages_of_a_missing_session_are_404(client, page):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(en(page, pk=999999)).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_attendees_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    mentor = MentorProfileFactory()
    session = SessionFactory(mentors=[mentor], capacity=count)
    organisation = OrganisationFactory()
    for _ in range(count):
        RegistrationFactory(session=session).user.partners.add(organisation)
        RegistrationFactory(session=session, status=WAITLISTED)
    client.force_login(mentor.user)

    # The page: the layout's, then the session, the mentor check, the registrations
    # with their users, and the users' organisations.
    with django_assert_num_queries(9):
        page = client.get(en("session-attendees", pk=session.pk))
    # The file: session, user, the session, the mentor check, registrations, organisations.
    with django_assert_num_queries(6):
        export = client.get(en("session-attendees-csv", pk=session.pk))

    assert len(page.context["confirmed"]) == count
    assert len(page.context["waitlisted"]) == count
    assert export.content.decode("utf-8-sig").count("\n") == 2 * count + 1
