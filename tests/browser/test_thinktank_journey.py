"""The think tank as people use it: a cooperative's member publishes a Monday-meeting
report, another organisation's member improves an open proposal and endorses it, a
reader compares the revisions and subscribes to the RSS feed, three organisations' flags
hide a spam article, and everything is found by search with or without accents."""

import datetime

import feedparser
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, create_member
from tests.factories.thinktank import ArticleFactory, ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
REPORT_TITLE = "Αναφορά από τη συνάντηση της Δευτέρας για το δίκτυο διανομής"


@pytest.fixture
def network():
    organisations = {
        key: OrganisationFactory(name=name, is_verified=True)
        for key, name in [
            ("a", "Αγροτικός Συνεταιρισμός Ζαγοράς"),
            ("b", "ΚοινΣΕπ Κοινός Τόπος"),
            ("c", "Φορέας Διαφημίσεων"),
            ("d", "Ενεργειακή Κοινότητα Σίφνου"),
        ]
    }
    members = {
        key: create_member(organisation, email=f"{key}@example.org", first_name=key.upper())
        for key, organisation in organisations.items()
    }
    proposal = ProposalFactory(
        title="Ανοιχτή επιστολή για το κοινωνικό μέρισμα",
        kind="open_letter",
        addressee="Υπουργείο Εργασίας",
        body="Ζητούμε θεσμικό πλαίσιο.",
        open_for_editing=True,
        organisation=organisations["a"],
        author=members["a"],
    )
    spam = ArticleFactory(
        title="Φθηνά ρολόγια εδώ",
        body="Διαφήμιση",
        organisation=organisations["c"],
        author=members["c"],
    )
    return organisations, members, proposal, spam


def signed_in_page(browser, live_server, user):
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login-username", user.email)
    page.fill("#id_login-password", PASSWORD)
    page.click("button[name=login_submit]")
    return page


def test_think_tank_journey(live_server, browser, page, network):
    organisations, members, proposal, spam = network
    base = live_server.url

    # A cooperative's member publishes a Monday-meeting report.
    writer = signed_in_page(browser, live_server, members["a"])
    writer.goto(base + "/thinktank/news/new/")
    writer.select_option("#id_kind", "meeting_report")
    writer.fill("#id_title", REPORT_TITLE)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    writer.fill("#id_meeting_date", monday.isoformat())
    writer.fill("#id_body", "Συζητήσαμε τη **διανομή** των προϊόντων.")
    writer.fill("#id_minutes", "- Παρόντες: 12 φορείς\n- Απόφαση: κοινό φορτηγό")
    writer.click("form.entry-form button[type=submit]")
    expect(writer.locator("h1")).to_have_text(REPORT_TITLE)
    expect(writer.locator("main")).to_contain_text("Απόφαση: κοινό φορτηγό")
    writer.context.close()

    # Another organisation's member improves the open proposal, then endorses it.
    editor = signed_in_page(browser, live_server, members["b"])
    editor.goto(base + proposal.get_absolute_url())
    editor.click(f"a[href='{proposal.url_for('edit')}']")
    editor.fill("#id_body", "Ζητούμε θεσμικό πλαίσιο για το κοινωνικό μέρισμα σε κάθε Δήμο.")
    editor.fill("#id_change_summary", "Πιο συγκεκριμένο αίτημα")
    editor.click("form.entry-form button[type=submit]")
    expect(editor.locator(".entry-body")).to_contain_text("σε κάθε Δήμο")
    editor.click("form[action$='/endorse/'] button[type=submit]")
    expect(editor.locator("main")).to_contain_text("ΚοινΣΕπ Κοινός Τόπος")
    editor.context.close()
    assert list(proposal.endorsements.values_list("organisation__name", flat=True)) == [
        "ΚοινΣΕπ Κοινός Τόπος"
    ]

    # A reader sees what changed and subscribes to the news feed.
    page.goto(base + proposal.get_absolute_url())
    page.click(f"a[href='{proposal.url_for('history')}']")
    page.click("form[action$='/diff/'] button.btn-primary")
    expect(page.locator("ins.diff-line--added")).to_contain_text("σε κάθε Δήμο")
    expect(page.locator("del.diff-line--removed")).to_contain_text("Ζητούμε θεσμικό πλαίσιο.")
    page.goto(base + "/thinktank/news/")
    feed_url = page.locator("link[rel=alternate][type='application/rss+xml']").first.get_attribute(
        "href"
    )
    feed = feedparser.parse(
        page.request.get(base + feed_url if feed_url.startswith("/") else feed_url).body()
    )
    assert [entry.title for entry in feed.entries] == [REPORT_TITLE]

    # Three organisations flag the spam article: it is hidden pending review.
    for key in ("a", "b", "d"):
        flagger = signed_in_page(browser, live_server, members[key])
        flagger.goto(base + spam.get_absolute_url())
        flagger.click("details.flag-form summary")
        flagger.select_option("details.flag-form select[name=reason]", "spam")
        flagger.click("details.flag-form button[type=submit]")
        expect(flagger.locator("#messages")).to_be_visible()
        flagger.context.close()
    assert page.goto(base + spam.get_absolute_url()).status == 404
    page.goto(base + "/thinktank/moderation/log/")
    expect(page.locator("main table")).to_contain_text("Φθηνά ρολόγια εδώ")

    # Search finds the report with or without accents, in capitals or not.
    for query in ("συνάντηση δευτέρας", "συναντηση δευτερας", "ΣΥΝΑΝΤΗΣΗ"):
        page.goto(base + f"/search/?q={query}")
        expect(page.locator("main")).to_contain_text(REPORT_TITLE)
    page.goto(base + "/search/?q=ρολόγια")
    expect(page.locator("main")).not_to_contain_text("Φθηνά ρολόγια εδώ")
