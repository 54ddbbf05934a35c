"""Races on PostgreSQL: simultaneous registrations for the last place, and two reminder
runs at the same moment. Each thread has its own database connection, so these tests
commit for real (``transaction=True``) and close their connections at the end.

On SQLite ``select_for_update`` does nothing and the database serialises writers, so
the race cannot be reproduced there: the tests are skipped."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import override_settings
from django.urls import clear_url_caches
from django.utils import timezone

from mentors.models import Registration, Session, Theme
from mentors.services import registrations as services
from tests.concurrency import run_together
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Row locks (select_for_update) exist on PostgreSQL only; SQLite serialises "
            "writers, so the race is not reproducible there. Run with DATABASE_URL=postgres://…"
        )


def new_session(**fields):
    # A transactional test empties the tables afterwards, the seeded themes included.
    theme, _created = Theme.objects.get_or_create(slug="agri-food", defaults={"position": 5})
    return Session.objects.create(theme=theme, title="Κοινωνικά αγροκτήματα", **fields)


def test_simultaneous_registrations_for_the_last_place_give_exactly_one_place():
    session = new_session(starts_at=timezone.now() + datetime.timedelta(days=3), capacity=1)
    users = [UserFactory(email=f"racer{n}@example.org") for n in range(THREADS)]

    with override_settings(LANGUAGE_CODE="en"):  # the e-mails' texts, for the asserts
        clear_url_caches()
        results, errors = run_together(
            lambda user: services.register(session=session, user=user).status, users
        )
    clear_url_caches()

    assert errors == []
    assert sorted(results) == ["confirmed"] + ["waitlisted"] * (THREADS - 1)
    rows = Registration.objects.filter(session=session)
    assert rows.filter(status=Registration.Status.CONFIRMED).count() == 1
    assert rows.filter(status=Registration.Status.WAITLISTED).count() == THREADS - 1
    positions = sorted(
        services.with_waitlist_position(
            rows.filter(status=Registration.Status.WAITLISTED)
        ).values_list("waitlist_position", flat=True)
    )
    assert positions == list(range(1, THREADS))
    # One e-mail each: one confirmation, seven waitlist e-mails numbered 1 to 7.
    subjects = [message.subject for message in mail.outbox]
    assert subjects.count("Your place is confirmed: Κοινωνικά αγροκτήματα") == 1
    assert subjects.count("You are on the waitlist: Κοινωνικά αγροκτήματα") == THREADS - 1
    numbers = sorted(
        int(message.body.split("You are number ")[1].split(" ")[0])
        for message in mail.outbox
        if "You are number " in message.body
    )
    assert numbers == list(range(1, THREADS))


def test_simultaneous_reminder_runs_send_each_reminder_once():
    start = timezone.now() + datetime.timedelta(minutes=30)
    session = new_session(starts_at=start)
    for n in range(5):
        Registration.objects.create(
            session=session,
            user=UserFactory(email=f"participant{n}@example.org"),
            status=Registration.Status.CONFIRMED,
            created_at=start - datetime.timedelta(days=3),
        )

    results, errors = run_together(lambda _run: services.send_due_reminders(), range(4))

    assert errors == []
    assert sum(results) == 5
    assert sorted(message.to[0] for message in mail.outbox) == [
        f"participant{n}@example.org" for n in range(5)
    ]
    assert Registration.objects.filter(reminded_1h_at=None).count() == 0
