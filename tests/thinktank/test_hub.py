"""The think tank's hub and the home page's left pillar show real content."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory
from tests.factories.thinktank import (
    ArticleFactory,
    EventFactory,
    NewsItemFactory,
    ProposalFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def hub_titles(html, key):
    block = html[html.index(f'id="section-{key}"') :]
    block = block[: block.index("</section>")]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', block)


def test_hub_shows_the_latest_of_each_section(client):
    org = OrganisationFactory(is_verified=True, name="Δίκτυο Αιγαίου")
    now = timezone.now()
    for number in range(4):
        NewsItemFactory(title=f"Νέο {number}", organisation=org,
                        publish_at=now - datetime.timedelta(days=number + 1))  # fmt: skip
    ArticleFactory(title="Άρθρο για τις ενεργειακές κοινότητες", organisation=org)
    EventFactory(title="Ημερίδα στα Χανιά", organisation=org,
                 starts_at=now + datetime.timedelta(days=3))  # fmt: skip
    EventFactory(
        title="Παλιά εκδήλωση", organisation=org, starts_at=now - datetime.timedelta(days=30)
    )
    VideoFactory(title="Βίντεο από την ημερίδα", organisation=org)
    ProposalFactory(title="Πρόταση για κοινωνικά αγροκτήματα", organisation=org)
    NewsItemFactory(title="Πρόχειρο νέο", organisation=org, status="draft")

    html = client.get(reverse("thinktank:hub")).content.decode()

    assert hub_titles(html, "news") == ["Νέο 0", "Νέο 1", "Νέο 2"]
    assert hub_titles(html, "articles") == ["Άρθρο για τις ενεργειακές κοινότητες"]
    assert hub_titles(html, "events") == ["Ημερίδα στα Χανιά"]
    assert hub_titles(html, "videos") == ["Βίντεο από την ημερίδα"]
    assert hub_titles(html, "proposals") == ["Πρόταση για κοινωνικά αγροκτήματα"]
    assert "Πρόχειρο νέο" not in html


@pytest.mark.parametrize("per_section", [1, 30])
def test_hub_queries_do_not_grow_with_entries(client, django_assert_num_queries, per_section):
    org = OrganisationFactory(is_verified=True)
    for factory in (NewsItemFactory, ArticleFactory, VideoFactory, ProposalFactory):
        factory.create_batch(per_section, organisation=org)
    EventFactory.create_batch(per_section, organisation=org)

    with django_assert_num_queries(7):
        response = client.get(reverse("thinktank:hub"))

    assert response.status_code == 200


def test_home_left_pillar_shows_latest_entries_and_upcoming_events(client):
    org = OrganisationFactory(is_verified=True, name="Καταναλωτικός Συνεταιρισμός")
    now = timezone.now()
    NewsItemFactory(title="Κοινή δράση για το νερό", organisation=org,
                    publish_at=now - datetime.timedelta(hours=2))  # fmt: skip
    ArticleFactory(title="Γιατί συνεργατισμός", organisation=org,
                   publish_at=now - datetime.timedelta(hours=1))  # fmt: skip
    EventFactory(title="Συνέλευση του δικτύου", organisation=org,
                 starts_at=now + datetime.timedelta(days=2))  # fmt: skip

    html = client.get(reverse("home")).content.decode()
    pillar = html[html.index('id="pillar-thinktank"') : html.index('id="pillar-mentors"')]

    titles = re.findall(r'<li><a href="(/thinktank/[^"]+)">([^<]+)</a>', pillar)
    article, news, event = (
        factory._meta.model.objects.get()
        for factory in (ArticleFactory, NewsItemFactory, EventFactory)
    )
    assert titles[:3] == [
        (article.get_absolute_url(), "Γιατί συνεργατισμός"),
        (news.get_absolute_url(), "Κοινή δράση για το νερό"),
        (event.get_absolute_url(), "Συνέλευση του δικτύου"),
    ]  # fmt: skip


@pytest.mark.parametrize("per_section", [1, 30])
def test_home_queries_do_not_grow_with_entries(client, django_assert_max_num_queries, per_section):
    org = OrganisationFactory(is_verified=True)
    for factory in (NewsItemFactory, ArticleFactory, ProposalFactory, EventFactory):
        factory.create_batch(per_section, organisation=org)
    client.get(reverse("home"))  # warm the caches shared by every page

    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("home"))

    thinktank_queries = [q for q in captured.captured_queries if "thinktank_" in q["sql"]]
    assert len(thinktank_queries) == 5
