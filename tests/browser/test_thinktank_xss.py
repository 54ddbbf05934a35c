"""In a real browser, hostile Markdown in every rich-text field fires no script."""

import pytest

from tests.factories import OrganisationFactory, create_member
from tests.factories.thinktank import (
    ArticleFactory,
    DocumentFactory,
    EventFactory,
    NewsItemFactory,
    ProposalFactory,
    VideoFactory,
)
from tests.thinktank.xss_payloads import ALL_PAYLOADS, PAYLOADS
from thinktank import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hostile_markdown_fires_no_dialog_anywhere(live_server, page):
    org = OrganisationFactory(is_verified=True, name="Δοκιμαστικός φορέας")
    member = create_member(org, email="member@example.org")
    entries = [
        factory(organisation=org, author=member, body=ALL_PAYLOADS, summary=PAYLOADS[0])
        for factory in (ArticleFactory, DocumentFactory, EventFactory, VideoFactory)
    ]
    report = NewsItemFactory(organisation=org, kind="meeting_report", body=ALL_PAYLOADS,
                             minutes=ALL_PAYLOADS)  # fmt: skip
    proposal = ProposalFactory(organisation=org, body=ALL_PAYLOADS)
    for payload in PAYLOADS:
        services.add_comment(proposal=proposal, user=member, organisation=org, body=payload)
    entries[0].body = "Καθαρό κείμενο"
    services.save_entry(entry=entries[0], user=member, organisation=org)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    urls = [entry.get_absolute_url() for entry in (*entries, report, proposal)]
    urls += [entries[0].url_for("history"), entries[0].url_for("diff"), "/thinktank/"]
    urls += [f"/thinktank/{section}/" for section in
             ("news", "articles", "library", "events", "videos", "proposals")]  # fmt: skip

    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # let autofocus, onerror and animations have their go
        frames = page.locator("main iframe, main object, main embed").count()
        assert frames == 0, url

    assert dialogs == []
