"""Open syndication read back by real clients' libraries: the RSS and Atom feeds of news
and articles with ``feedparser``, the events calendar with ``icalendar``."""

import datetime
import zoneinfo

import feedparser
import pytest
from django.utils import timezone
from icalendar import Calendar

from tests.factories.thinktank import ArticleFactory, EventFactory, NewsItemFactory
from thinktank.models import Moderation, Status

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
SERVER = "http://testserver"


def athens(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ATHENS)


def unpublished_entries(factory, **fields):
    """A draft, a scheduled, a deleted and a hidden entry: none may be syndicated."""
    soon = timezone.now() + datetime.timedelta(days=2)
    return [
        factory(title="Πρόχειρο", status=Status.DRAFT, **fields),
        factory(title="Προγραμματισμένο", publish_at=soon, **fields),
        factory(title="Διαγραμμένο", deleted_at=timezone.now(), **fields),
        factory(title="Κρυμμένο", moderation=Moderation.HIDDEN, **fields),
    ]


SYNDICATED = [
    ("/thinktank/news/feed/", NewsItemFactory, "rss20"),
    ("/thinktank/news/feed/atom/", NewsItemFactory, "atom10"),
    ("/thinktank/articles/feed/", ArticleFactory, "rss20"),
    ("/thinktank/articles/feed/atom/", ArticleFactory, "atom10"),
]


@pytest.mark.parametrize(("url", "factory", "version"), SYNDICATED)
def test_feeds_list_published_entries_newest_first(client, url, factory, version):
    oldest = factory(title="Πρώτη καταχώριση", publish_at=athens(2025, 1, 10))
    newest = factory(title="Τρίτη καταχώριση", publish_at=athens(2025, 3, 10))
    middle = factory(title="Δεύτερη καταχώριση", publish_at=athens(2025, 2, 10))
    unpublished_entries(factory)

    response = client.get(url)

    site = SERVER  # links are absolute on the request's own host
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.version == version
    assert [(entry.title, entry.link) for entry in feed.entries] == [
        ("Τρίτη καταχώριση", f"{site}{newest.get_absolute_url()}"),
        ("Δεύτερη καταχώριση", f"{site}{middle.get_absolute_url()}"),
        ("Πρώτη καταχώριση", f"{site}{oldest.get_absolute_url()}"),
    ]
    published = [entry.published_parsed[:6] for entry in feed.entries]
    assert published == [(2025, 3, 10, 10, 0, 0), (2025, 2, 10, 10, 0, 0), (2025, 1, 10, 10, 0, 0)]


@pytest.mark.parametrize(("url", "factory", "version"), SYNDICATED)
def test_feeds_render_the_markdown_body_sanitised(client, url, factory, version):
    factory(title="Με μορφοποίηση", body="Κείμενο **έντονο** <script>alert(1)</script>")

    feed = feedparser.parse(client.get(url).content)

    [entry] = feed.entries
    assert entry.summary == "<p>Κείμενο <strong>έντονο</strong> </p>"


def test_feeds_of_news_do_not_carry_articles(client):
    NewsItemFactory(title="Ένα νέο")
    ArticleFactory(title="Ένα άρθρο")

    news = feedparser.parse(client.get("/thinktank/news/feed/").content)
    articles = feedparser.parse(client.get("/thinktank/articles/feed/atom/").content)

    assert [entry.title for entry in news.entries] == ["Ένα νέο"]
    assert [entry.title for entry in articles.entries] == ["Ένα άρθρο"]


def test_feeds_events_calendar_has_every_published_event(client):
    festival = EventFactory(
        title="Γιορτή της ελιάς",
        starts_at=athens(2026, 3, 26, 18, 0),
        ends_at=athens(2026, 3, 26, 22, 0),
        place="Κολυμβάρι, Πλατεία",
    )
    seminar = EventFactory(
        title="Διαδικτυακό σεμινάριο",
        starts_at=athens(2026, 7, 1, 10, 30),
        place="",
        online_url="https://meet.example.org/seminario",
    )
    past = EventFactory(title="Περσινή συνέλευση", starts_at=athens(2025, 1, 13, 19, 0),
                        place="Χανιά")  # fmt: skip
    unpublished_entries(EventFactory, starts_at=athens(2026, 4, 1, 10, 0))

    response = client.get("/thinktank/events/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = [
        (
            str(event["SUMMARY"]),
            event["DTSTART"].dt,
            str(event["LOCATION"]),
            str(event["URL"]),
        )
        for event in calendar.walk("VEVENT")
    ]
    assert events == [
        ("Περσινή συνέλευση", athens(2025, 1, 13, 19, 0), "Χανιά",
         f"{SERVER}{past.get_absolute_url()}"),
        ("Γιορτή της ελιάς", athens(2026, 3, 26, 18, 0), "Κολυμβάρι, Πλατεία",
         f"{SERVER}{festival.get_absolute_url()}"),
        ("Διαδικτυακό σεμινάριο", athens(2026, 7, 1, 10, 30), "https://meet.example.org/seminario",
         f"{SERVER}{seminar.get_absolute_url()}"),
    ]  # fmt: skip
    assert all(start.tzinfo is not None for _title, start, _place, _url in events)
    assert [event["DTEND"].dt for event in calendar.walk("VEVENT")] == [
        athens(2025, 1, 13, 19, 0),
        athens(2026, 3, 26, 22, 0),
        athens(2026, 7, 1, 10, 30),
    ]
    for title in ("Πρόχειρο", "Προγραμματισμένο", "Διαγραμμένο", "Κρυμμένο"):
        assert title.encode() not in response.content
