"""Every kind of think-tank page meets WCAG 2.1 AA (axe-core) at desktop and phone
widths, with real content on it, for a visitor and for a signed-in member."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tests.factories import OrganisationFactory, create_member
from tests.factories.thinktank import (
    ArticleFactory,
    DocumentFactory,
    EventFactory,
    NewsItemFactory,
    ProposalFactory,
    VideoFactory,
)
from thinktank import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def content():
    org = OrganisationFactory(name="Κοινωνική Συνεταιριστική Επιχείρηση Το Αλώνι", is_verified=True)
    other = OrganisationFactory(name="Ενεργειακή Κοινότητα Σίφνου", is_verified=True)
    member = create_member(org, email="member@example.org", first_name="Ελένη", last_name="Παππά")
    now = timezone.now()
    report = NewsItemFactory(
        organisation=org, author=member, kind="meeting_report", title="Συνάντηση Δευτέρας",
        minutes="- Παρόντες: 9 φορείς\n- Απόφαση: κοινή αποθήκη", body="Συζητήσαμε **πολλά**.",
    )  # fmt: skip
    article = ArticleFactory(organisation=org, author=member, title="Η αξία της συνεργασίας",
                             body="Κείμενο " * 300, theme="local-employment")  # fmt: skip
    article.body = "Νέο κείμενο " * 300
    services.save_entry(entry=article, user=member, organisation=org, summary="Βελτίωση")
    event = EventFactory(organisation=org, title="Ημερίδα στη Λάρισα",
                         starts_at=now + datetime.timedelta(days=2),
                         registration_url="https://coopsociety.gr/register")  # fmt: skip
    video = VideoFactory(organisation=org, title="Βίντεο της ημερίδας", event=event)
    document = DocumentFactory(organisation=org, title="Νόμος 4430/2016", kind="legislation",
                               law_number="4430/2016")  # fmt: skip
    proposal = ProposalFactory(organisation=org, title="Ανοιχτή επιστολή", kind="open_letter",
                               addressee="Υπουργείο Εργασίας", open_for_editing=True)  # fmt: skip
    services.endorse(proposal=proposal, organisation=other, user=member)
    services.add_comment(proposal=proposal, user=member, organisation=org, body="Συμφωνούμε.")
    month = timezone.localdate(event.starts_at)
    return {
        "member": member,
        "paths": [
            "/thinktank/",
            "/thinktank/news/",
            report.get_absolute_url(),
            "/thinktank/articles/",
            article.get_absolute_url(),
            article.url_for("history"),
            article.url_for("diff"),
            "/thinktank/library/",
            document.get_absolute_url(),
            "/thinktank/events/",
            f"/thinktank/events/month/{month.year}/{month.month}/",
            event.get_absolute_url(),
            "/thinktank/videos/",
            video.get_absolute_url(),
            "/thinktank/proposals/",
            proposal.get_absolute_url(),
            "/thinktank/network/",
            "/thinktank/moderation/log/",
            "/search/?q=συνεργασια",
        ],
        "member_paths": [
            "/thinktank/news/new/",
            article.url_for("edit"),
            proposal.get_absolute_url(),
            "/thinktank/moderation/",
            "/thinktank/notifications/",
        ],
    }


def violations_on(browser, live_server, paths, width, user=None, cookies=()):
    context = browser.new_context(locale="el-GR", viewport={"width": width, "height": 800})
    if cookies:
        context.add_cookies(list(cookies))
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_login-username", user.email)
        page.fill("#id_login-password", PASSWORD)
        page.click("button[name=login_submit]")
    found = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        results = Axe().run(page, options=WCAG_21_AA)
        problems = [
            (violation["id"], [node["target"] for node in violation["nodes"]][:3])
            for violation in results.response["violations"]
        ]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if problems or scroll_width > width:
            found[path] = (problems, scroll_width)
    context.close()
    return found


@pytest.mark.parametrize("width", [1280, 360])
def test_think_tank_pages_meet_wcag_21_aa(live_server, browser, content, width):
    assert violations_on(browser, live_server, content["paths"], width) == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_think_tank_member_pages_meet_wcag_21_aa(live_server, browser, content, width):
    found = violations_on(
        browser, live_server, content["member_paths"], width, user=content["member"]
    )
    assert found == {}
