"""Every kind of MENTORS page meets WCAG 2.1 AA (axe-core) at desktop and phone widths,
with real content, for a visitor and for a registered participant."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.test_thinktank_accessibility import violations_on
from tests.factories import UserFactory
from tests.factories.mentors import (
    AnswerFactory,
    CoOrganiserFactory,
    MentorProfileFactory,
    QuestionFactory,
    RegistrationFactory,
    SeminarFactory,
    SessionFactory,
    theme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    municipality = CoOrganiserFactory(name="Δήμος Καρδίτσας", region="thessaly")
    mentor = MentorProfileFactory(expertise=["agri-food"])
    first_day = timezone.localdate() + datetime.timedelta(days=5)
    seminar = SeminarFactory(
        title="Σεμινάριο Θεσσαλίας",
        starts_on=first_day,
        ends_on=first_day + datetime.timedelta(days=2),
        co_organisers=[municipality],
    )
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        seminar=seminar,
        mentors=[mentor],
        capacity=2,
        co_organiser=municipality,
        starts_at=timezone.now() + datetime.timedelta(days=5),
    )
    SessionFactory(title="Υγεία και κοινότητα", theme=theme("health"), seminar=seminar,
                   starts_at=timezone.now() + datetime.timedelta(days=6))  # fmt: skip
    participant = UserFactory(email="participant@example.org")
    RegistrationFactory(session=session, user=participant)
    question = QuestionFactory(title="Πώς ξεκινά ένα κοινωνικό αγρόκτημα;", session=session,
                               author=participant)  # fmt: skip
    AnswerFactory(question=question, author=mentor.user, by_mentor=True, accepted=True,
                  body="Με **συνεταιρισμό** και γη του Δήμου.")  # fmt: skip
    return {
        "participant": participant,
        "paths": [
            "/mentors/",
            "/mentors/sessions/",
            session.get_absolute_url(),
            "/mentors/themes/agri-food/",
            "/mentors/people/",
            mentor.get_absolute_url(),
            "/mentors/seminars/",
            seminar.get_absolute_url(),
            "/mentors/questions/",
            question.get_absolute_url(),
        ],
        "participant_paths": [
            session.get_absolute_url(),
            question.get_absolute_url(),
            "/mentors/questions/new/",
            "/mentors/registrations/",
            "/mentors/calendar/",
        ],
    }


@pytest.mark.parametrize("width", [1280, 360])
def test_mentors_pages_meet_wcag_21_aa(live_server, browser, programme, width):
    assert violations_on(browser, live_server, programme["paths"], width) == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_mentors_participant_pages_meet_wcag_21_aa(live_server, browser, programme, width):
    found = violations_on(
        browser, live_server, programme["participant_paths"], width, user=programme["participant"]
    )
    assert found == {}
