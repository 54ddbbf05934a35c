"""The MENTORS programme as people use it: a municipality's employee finds the agri-food
session of the next seminar, registers and gets the confirmation with its calendar file
and a reminder, joins the room at the right time, asks a question that is voted up live,
another participant answers it, the asker accepts the answer, and the answer appears in
the theme's FAQ."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from mentors.models import Question, Registration
from tests.factories import UserFactory
from tests.factories.mentors import (
    CoOrganiserFactory,
    MentorProfileFactory,
    SeminarFactory,
    SessionFactory,
    theme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SESSION_TITLE = "Κοινωνικά αγροκτήματα και τροφή χωρίς μεσάζοντες"
QUESTION = "Πώς νοικιάζει ένας Δήμος ακαλλιέργητη γη σε ΚοινΣΕπ;"
ANSWER = "Με προγραμματική σύμβαση και δημόσια πρόσκληση ενδιαφέροντος."


@pytest.fixture
def programme():
    municipality = CoOrganiserFactory(name="Δήμος Καρδίτσας", kind="municipality",
                                      region="thessaly")  # fmt: skip
    mentor = MentorProfileFactory()
    starts = timezone.now() + datetime.timedelta(minutes=10)
    first_day = timezone.localdate(starts)
    seminar = SeminarFactory(
        title="Σεμινάριο Θεσσαλίας",
        starts_on=first_day,
        ends_on=first_day + datetime.timedelta(days=2),
    )
    seminar.co_organisers.add(municipality)
    session = SessionFactory(title=SESSION_TITLE, theme=theme("agri-food"), seminar=seminar,
                             starts_at=starts, capacity=30, co_organiser=municipality,
                             mentors=[mentor])  # fmt: skip
    SessionFactory(title="Ενεργειακές κοινότητες", theme=theme("green-economy-energy-communities"),
                   seminar=seminar, starts_at=starts + datetime.timedelta(days=1))  # fmt: skip
    employee = UserFactory(email="ypallilos@karditsa.example.gr", first_name="Μαρία",
                           last_name="Οικονόμου")  # fmt: skip
    neighbour = UserFactory(email="agrotis@example.org", first_name="Νίκος", last_name="Ζήσης")
    return session, employee, neighbour


def signed_in(browser, live_server, user):
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login-username", user.email)
    page.fill("#id_login-password", PASSWORD)
    page.click("button[name=login_submit]")
    return page


def test_mentors_journey(live_server, browser, programme):
    session, employee, neighbour = programme
    base = live_server.url

    # Finds the agri-food session of the next seminar and registers.
    page = signed_in(browser, live_server, employee)
    page.goto(base + "/mentors/sessions/?theme=agri-food")
    page.get_by_role("link", name=SESSION_TITLE).first.click()
    expect(page.locator("h1")).to_contain_text(SESSION_TITLE)
    page.click(f"form[action='/mentors/sessions/{session.pk}/register/'] button")
    expect(page.locator(".session-registration .alert-success")).to_be_visible()
    assert Registration.objects.get(session=session, user=employee).status == "confirmed"

    # The confirmation carries the calendar file; the reminder comes once.
    confirmation = [m for m in mail.outbox if m.to == [employee.email]][-1]
    ((name, content, mimetype),) = [
        a for a in confirmation.attachments if str(a[2]).startswith("text/calendar")
    ]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == SESSION_TITLE
    assert session.room_link not in confirmation.body
    before = len(mail.outbox)
    call_command("send_session_reminders")
    call_command("send_session_reminders")
    reminders = [m for m in mail.outbox[before:] if m.to == [employee.email]]
    assert len(reminders) == 1

    # Ten minutes before the start the room link is there.
    page.reload()
    join = page.locator(".session-room a.btn-primary")
    expect(join).to_have_attribute("href", session.room_link)

    # Asks a question from the session page; the live list follows the votes.
    page.fill("#live-question-title", QUESTION)
    page.click(".live-questions__ask button[type=submit]")
    question = Question.objects.get(title=QUESTION)
    page.goto(base + session.get_absolute_url())
    live_list = page.locator("[data-live-questions-list]")
    expect(live_list).to_contain_text(QUESTION)
    expect(live_list).to_contain_text(": 0")

    other = signed_in(browser, live_server, neighbour)
    other.goto(base + question.get_absolute_url())
    other.click(f"form[action='/mentors/questions/{question.pk}/vote/'] button[value='1']")
    expect(live_list).to_contain_text(": 1", timeout=25_000)  # refreshed without reloading

    # The neighbour answers; the asker accepts the answer.
    other.goto(base + question.get_absolute_url())
    other.fill("textarea[name=body]", ANSWER)
    other.click("form.entry-form button[type=submit]")
    expect(other.locator("main")).to_contain_text(ANSWER)
    other.context.close()
    page.goto(base + question.get_absolute_url())
    page.click("form[action$='/accept/'] button")
    question.refresh_from_db()
    assert question.accepted_answer.body == ANSWER

    # Later, the theme's FAQ holds the accepted answer.
    page.goto(base + "/mentors/themes/agri-food/")
    expect(page.locator("main")).to_contain_text(QUESTION)
    expect(page.locator("main")).to_contain_text(ANSWER)
    page.context.close()
