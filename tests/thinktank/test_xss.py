"""User-written Markdown renders inert: at least 30 hostile payloads, in every
rich-text field, checked in the sanitiser's output and in the whole rendered page
(compared with the same page showing harmless text)."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, create_member
from tests.factories.thinktank import (
    ArticleFactory,
    DocumentFactory,
    EventFactory,
    NewsItemFactory,
    ProposalFactory,
    VideoFactory,
)
from tests.thinktank.xss_payloads import ALL_PAYLOADS, PAYLOADS, active_content
from thinktank import services
from thinktank.richtext import render_markdown

FACTORIES = {
    "news": NewsItemFactory,
    "articles": ArticleFactory,
    "library": DocumentFactory,
    "events": EventFactory,
    "videos": VideoFactory,
    "proposals": ProposalFactory,
}


def test_there_are_at_least_thirty_payloads():
    assert len(set(PAYLOADS)) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_output_is_inert(payload):
    html = str(render_markdown(payload))

    assert active_content(html) == []
    assert "javascript:" not in html.lower()
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_links_left_by_the_sanitiser_carry_rel(payload):
    html = str(render_markdown(payload + "\n\n[ok](https://example.org)"))

    for anchor in re.findall(r"<a [^>]*>", html):
        assert 'rel="noopener nofollow ugc"' in anchor


def page_features(client, url, slug=None):
    """Active content of a page, with JSON-LD checked separately (it holds the text as
    data, never as markup). The entry's ``slug`` is masked, for comparing two entries."""
    html = client.get(url).content.decode()
    if slug:
        html = html.replace(slug, "SLUG")
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        assert "<" not in block
        json.loads(block)
    return active_content(html)


@pytest.mark.django_db
@pytest.mark.parametrize("section", list(FACTORIES))
def test_payloads_in_every_entry_body_render_inert(client, section):
    calm, rough = OrganisationFactory(is_verified=True), OrganisationFactory(is_verified=True)
    harmless = FACTORIES[section](organisation=calm, body="Αθώο κείμενο.", summary="Σύνοψη")
    hostile = FACTORIES[section](organisation=rough, body=ALL_PAYLOADS, summary=PAYLOADS[0],
                                 title="<script>alert(1337)</script>")  # fmt: skip
    list_url = reverse(f"thinktank:{section}-list")

    assert page_features(client, hostile.get_absolute_url()) == page_features(
        client, harmless.get_absolute_url()
    )
    assert page_features(client, f"{list_url}?organisation={rough.code}") == page_features(
        client, f"{list_url}?organisation={calm.code}"
    )


@pytest.mark.django_db
def test_payloads_in_meeting_minutes_render_inert(client):
    org = OrganisationFactory(is_verified=True)
    harmless = NewsItemFactory(organisation=org, kind="meeting_report", minutes="Πρακτικά.")
    hostile = NewsItemFactory(organisation=org, kind="meeting_report", minutes=ALL_PAYLOADS)

    assert page_features(client, hostile.get_absolute_url()) == page_features(
        client, harmless.get_absolute_url()
    )


@pytest.mark.django_db
def test_payloads_in_proposal_comments_render_inert(client):
    org = OrganisationFactory(is_verified=True)
    member = create_member(org, email="member@example.org")
    harmless = ProposalFactory(organisation=org)
    hostile = ProposalFactory(organisation=org)
    services.add_comment(proposal=harmless, user=member, organisation=org, body="Συμφωνώ.")
    for payload in PAYLOADS:
        services.add_comment(proposal=hostile, user=member, organisation=org, body=payload)

    assert page_features(client, hostile.get_absolute_url()) == page_features(
        client, harmless.get_absolute_url()
    )


@pytest.mark.django_db
def test_payloads_in_history_and_diff_render_inert(client):
    org = OrganisationFactory(is_verified=True)
    member = create_member(org, email="member@example.org")
    article = ArticleFactory(organisation=org, author=member, body="Αρχή")
    article.body = ALL_PAYLOADS
    services.save_entry(entry=article, user=member, organisation=org, summary=PAYLOADS[1])
    harmless = ArticleFactory(organisation=org, author=member, body="Αρχή")
    harmless.body = "Τέλος"
    services.save_entry(entry=harmless, user=member, organisation=org, summary="Αλλαγή")

    for page in ("history", "diff"):
        assert page_features(client, article.url_for(page), article.slug) == page_features(
            client, harmless.url_for(page), harmless.slug
        )
