"""The network: organisations' feeds read from a real local HTTP server, the network
page, and the members' page to give their organisation's feed."""

import datetime
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import OrganisationFactory, UserFactory, create_member
from thinktank import network, tasks
from thinktank.models import FeedPost, NetworkFeed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_feed_servers(settings):
    """The test feeds are served on 127.0.0.1, which production refuses to read."""
    settings.THINKTANK_FEEDS_ALLOW_PRIVATE_ADDRESSES = True


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Αγροτικός Συνεταιρισμός</title>
  <link>https://coop.example.org/</link>
  <description>Τα νέα μας</description>
  <item>
    <title>Συγκομιδή ελιάς 2024</title>
    <link>https://coop.example.org/news/harvest</link>
    <guid isPermaLink="false">harvest-2024</guid>
    <pubDate>Mon, 04 Nov 2024 09:30:00 +0200</pubDate>
    <description><![CDATA[<p>Η <b>συγκομιδή</b> ξεκίνησε &amp; συνεχίζεται.</p>
      <script>alert("stolen")</script><p>Ελάτε!</p>]]></description>
  </item>
  <item>
    <title>Ανοιχτή συνέλευση</title>
    <link>https://coop.example.org/news/assembly</link>
    <pubDate>Fri, 01 Nov 2024 18:00:00 +0200</pubDate>
    <description>Κάθε Δευτέρα στις 7.</description>
  </item>
  <item>
    <title>Κακός σύνδεσμος</title>
    <link>javascript:alert(1)</link>
    <guid isPermaLink="false">bad-link</guid>
    <pubDate>Thu, 31 Oct 2024 12:00:00 +0000</pubDate>
    <description>&lt;img src=x onerror=alert(1)&gt;Χωρίς εικόνα</description>
  </item>
</channel>
</rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Energy community</title>
  <id>urn:uuid:energy-feed</id>
  <updated>2024-10-10T10:00:00Z</updated>
  <entry>
    <title>New solar park</title>
    <link href="https://energy.example.org/solar-park" rel="alternate"/>
    <id>urn:uuid:solar-park</id>
    <updated>2024-10-10T10:00:00Z</updated>
    <summary type="html">&lt;p&gt;Running from &lt;em&gt;today&lt;/em&gt;.&lt;/p&gt;</summary>
  </entry>
</feed>"""

ETAG_RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Only post</title><link>https://etag.example.org/1</link><guid>etag-1</guid>
<pubDate>Tue, 01 Oct 2024 08:00:00 +0000</pubDate></item></channel></rss>"""


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path)
        if route is None:
            status, headers, body = 404, {}, b"not found"
        elif callable(route):
            status, headers, body = route(self)
        else:
            status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def etag_route(handler):
    if handler.headers.get("If-None-Match") == '"v1"':
        return 304, {"ETag": '"v1"'}, b""
    headers = {
        "Content-Type": "application/rss+xml",
        "ETag": '"v1"',
        "Last-Modified": "Tue, 01 Oct 2024 08:00:00 GMT",
    }
    return 200, headers, ETAG_RSS


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1 serving good, broken and failing feeds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    server.requests = []
    server.routes = {
        "/rss.xml": (200, {"Content-Type": "application/rss+xml; charset=utf-8"}, RSS),
        "/atom.xml": (200, {"Content-Type": "application/atom+xml"}, ATOM),
        "/broken.xml": (200, {"Content-Type": "text/html"}, b"<html><body>Not a feed <<<"),
        "/error.xml": (500, {"Content-Type": "text/plain"}, b"Internal Server Error"),
        "/etag.xml": etag_route,
        "/huge.xml": (200, {"Content-Type": "application/xml"}, b"x" * (2 * 1024 * 1024 + 1)),
    }
    server.url = lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def make_feed(url, **organisation):
    organisation.setdefault("is_verified", True)
    return NetworkFeed.objects.create(organisation=OrganisationFactory(**organisation), url=url)


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


# Reading feeds -----------------------------------------------------------------------


def test_fetch_feed_rss_stores_plain_text_posts(feed_server):
    feed = make_feed(feed_server.url("/rss.xml"))

    assert network.fetch_feed(feed) == 3

    rows = list(
        FeedPost.objects.filter(feed=feed)
        .order_by("-published_at")
        .values_list("guid", "title", "link", "summary", "published_at")
    )
    assert rows == [
        (
            "harvest-2024",
            "Συγκομιδή ελιάς 2024",
            "https://coop.example.org/news/harvest",
            "Η συγκομιδή ξεκίνησε & συνεχίζεται. Ελάτε!",
            utc(2024, 11, 4, 7, 30),
        ),
        (
            "https://coop.example.org/news/assembly",
            "Ανοιχτή συνέλευση",
            "https://coop.example.org/news/assembly",
            "Κάθε Δευτέρα στις 7.",
            utc(2024, 11, 1, 16, 0),
        ),
        ("bad-link", "Κακός σύνδεσμος", "", "Χωρίς εικόνα", utc(2024, 10, 31, 12, 0)),
    ]
    feed.refresh_from_db()
    assert feed.failure_count == 0
    assert feed.last_error == ""
    assert feed.last_success_at == feed.last_fetched_at is not None
    path, headers = feed_server.requests[0]
    assert path == "/rss.xml"
    assert headers["User-Agent"] == "CoopSocietyBot/1.0 (+https://coopsociety.gr)"


def test_fetch_feed_atom_uses_updated_date(feed_server):
    feed = make_feed(feed_server.url("/atom.xml"))

    assert network.fetch_feed(feed) == 1

    assert list(feed.posts.values_list("guid", "title", "link", "summary", "published_at")) == [
        (
            "urn:uuid:solar-park",
            "New solar park",
            "https://energy.example.org/solar-park",
            "Running from today.",
            utc(2024, 10, 10, 10, 0),
        )
    ]


def test_fetch_feed_twice_creates_no_duplicates(feed_server):
    feed = make_feed(feed_server.url("/rss.xml"))
    network.fetch_feed(feed)
    FeedPost.objects.filter(guid="harvest-2024").update(title="Old title")

    assert network.fetch_feed(feed) == 0

    assert FeedPost.objects.count() == 3
    assert sorted(FeedPost.objects.values_list("guid", flat=True)) == [
        "bad-link",
        "harvest-2024",
        "https://coop.example.org/news/assembly",
    ]
    assert FeedPost.objects.get(guid="harvest-2024").title == "Συγκομιδή ελιάς 2024"


def test_fetch_feed_conditional_get_answered_304(feed_server):
    feed = make_feed(feed_server.url("/etag.xml"))
    assert network.fetch_feed(feed) == 1
    feed.refresh_from_db()
    assert (feed.etag, feed.modified) == ('"v1"', "Tue, 01 Oct 2024 08:00:00 GMT")

    assert network.fetch_feed(feed) == 0

    _path, headers = feed_server.requests[1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Tue, 01 Oct 2024 08:00:00 GMT"
    feed.refresh_from_db()
    assert (feed.failure_count, feed.last_error) == (0, "")
    assert list(feed.posts.values_list("title", flat=True)) == ["Only post"]


@pytest.mark.parametrize(
    ("path", "message", "values"),
    [
        ("/broken.xml", "The address does not return a valid RSS or Atom feed.", {}),
        ("/error.xml", "The site answered with HTTP status %(status)s.", {"status": 500}),
        ("/huge.xml", "The feed is larger than 2 MB.", {}),
    ],
)
def test_fetch_feed_failure_is_recorded(feed_server, path, message, values):
    feed = make_feed(feed_server.url(path))

    assert network.fetch_feed(feed) == 0

    feed.refresh_from_db()
    assert feed.last_error == gettext(message) % values
    assert feed.failure_count == 1
    assert feed.last_fetched_at is not None
    assert feed.last_success_at is None
    assert FeedPost.objects.count() == 0


def test_fetch_feed_unreachable_site_is_recorded():
    feed = make_feed(closed_port_url())

    assert network.fetch_feed(feed, timeout=2) == 0

    feed.refresh_from_db()
    prefix = gettext("The site could not be reached: %(reason)s") % {"reason": ""}
    assert feed.last_error.startswith(prefix)
    assert feed.failure_count == 1


def test_fetch_feed_failures_add_up_and_success_resets_them(feed_server):
    feed = make_feed(feed_server.url("/error.xml"))
    network.fetch_feed(feed)
    network.fetch_feed(feed)
    assert feed.failure_count == 2

    feed.url = feed_server.url("/rss.xml")
    feed.save()
    network.fetch_feed(feed)

    feed.refresh_from_db()
    assert (feed.failure_count, feed.last_error) == (0, "")
    assert feed.last_success_at is not None


def test_fetch_feed_refuses_other_schemes():
    feed = make_feed("https://example.org/feed")
    feed.url = "file:///etc/passwd"

    assert network.fetch_feed(feed) == 0

    feed.refresh_from_db()
    assert feed.last_error == gettext("Only http and https addresses can be read.")
    assert FeedPost.objects.count() == 0


def test_fetch_feed_keeps_the_latest_twenty_entries(feed_server):
    items = "".join(
        f"<item><title>Post {n}</title><link>https://many.example.org/{n}</link>"
        f"<pubDate>{(utc(2024, 1, 1) + datetime.timedelta(days=n)):%a, %d %b %Y %H:%M:%S} +0000"
        f"</pubDate></item>"
        for n in range(25)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title>{items}</channel></rss>'
    )
    feed_server.routes["/many.xml"] = (200, {"Content-Type": "application/rss+xml"}, body.encode())
    feed = make_feed(feed_server.url("/many.xml"))

    assert network.fetch_feed(feed) == 20

    titles = set(feed.posts.values_list("title", flat=True))
    assert titles == {f"Post {n}" for n in range(5, 25)}


def test_fetch_all_feeds_counts_and_skips_inactive_and_unverified(feed_server):
    make_feed(feed_server.url("/rss.xml"))
    make_feed(feed_server.url("/atom.xml"))
    make_feed(feed_server.url("/error.xml"))
    inactive = make_feed(feed_server.url("/etag.xml"))
    inactive.is_active = False
    inactive.save()
    make_feed(feed_server.url("/etag.xml"), is_verified=False)

    assert network.fetch_all_feeds() == {"fetched": 2, "failed": 1, "new_posts": 4}
    assert [path for path, _headers in feed_server.requests] == [
        "/rss.xml",
        "/atom.xml",
        "/error.xml",
    ]


def test_fetch_network_feeds_task_runs_the_service(feed_server):
    make_feed(feed_server.url("/atom.xml"))

    result = tasks.fetch_network_feeds.delay()

    assert result.get() == {"fetched": 1, "failed": 0, "new_posts": 1}
    assert FeedPost.objects.get().title == "New solar park"


def test_fetch_feeds_command_lists_failures(feed_server, capsys):
    make_feed(feed_server.url("/rss.xml"))
    failing = make_feed(feed_server.url("/error.xml"), name="Κοινότητα Σφάλματος")

    call_command("fetch_feeds")

    out = capsys.readouterr().out
    assert "Feeds read: 1, failed: 1, new posts: 3" in out
    error = gettext("The site answered with HTTP status %(status)s.") % {"status": 500}
    assert f"Κοινότητα Σφάλματος <{failing.url}>: {error}" in out


# Selectors ---------------------------------------------------------------------------


def add_post(feed, n, **fields):
    fields.setdefault("published_at", utc(2024, 5, 1) + datetime.timedelta(days=n))
    return FeedPost.objects.create(
        feed=feed,
        guid=f"{feed.pk}-{n}",
        title=fields.pop("title", f"Post {n} of {feed.organisation.name}"),
        link=fields.pop("link", f"https://site{feed.pk}.example.org/{n}"),
        **fields,
    )


def test_latest_network_posts_only_active_feeds_of_verified_organisations():
    shown = make_feed("https://a.example.org/feed")
    add_post(shown, 1, title="Older")
    add_post(shown, 3, title="Newer")
    add_post(shown, 0, title="Undated", published_at=None)
    hidden = make_feed("https://b.example.org/feed")
    hidden.is_active = False
    hidden.save()
    add_post(hidden, 5, title="Inactive feed")
    add_post(make_feed("https://c.example.org/feed", is_verified=False), 6, title="Unverified")

    titles = [post.title for post in network.latest_network_posts(limit=10)]

    assert titles == ["Newer", "Older", "Undated"]


def test_network_organisations_three_latest_posts_each(django_assert_num_queries):
    first = make_feed("https://a.example.org/feed", name="Α Συνεταιρισμός")
    for n in range(5):
        add_post(first, n)
    second = make_feed("https://b.example.org/feed", name="Β Συνεταιρισμός")
    add_post(second, 1)
    OrganisationFactory(is_verified=True, name="Γ Χωρίς ροή")
    OrganisationFactory(is_verified=False, name="Δ Μη επαληθευμένος")

    with django_assert_num_queries(2):
        organisations = list(network.network_organisations())
    posts = {}
    for organisation in organisations:
        feed = getattr(organisation, "network_feed", None)  # None: the organisation has none
        posts[organisation.name] = [post.title for post in feed.latest_posts] if feed else None

    assert posts == {
        "Α Συνεταιρισμός": [f"Post {n} of Α Συνεταιρισμός" for n in (4, 3, 2)],
        "Β Συνεταιρισμός": ["Post 1 of Β Συνεταιρισμός"],
        "Γ Χωρίς ροή": None,
    }


# The network page --------------------------------------------------------------------


def test_network_page_shows_organisations_sites_and_posts(client):
    feed = make_feed(
        "https://elia.example.org/feed",
        name="Ελαιουργικός Συνεταιρισμός",
        website="https://elia.example.org/",
        region="crete",
        municipality="Σητεία",
    )
    add_post(feed, 1, title="Νέα σοδειά", link="https://elia.example.org/news/1",
             summary="Η σοδειά είναι καλή.")  # fmt: skip
    add_post(feed, 2, title="Χωρίς σύνδεσμο", link="")
    OrganisationFactory(is_verified=False, name="Αόρατος Φορέας")

    response = client.get("/en/thinktank/network/")

    assert response.status_code == 200
    html = response.content.decode()
    storefront = reverse("organisations:storefront", kwargs={"slug": feed.organisation.code})
    assert "<h1>Cooperating sites</h1>" in html
    assert '<h3 class="organisation-card__name">Ελαιουργικός Συνεταιρισμός</h3>' in html
    assert "Crete · Σητεία" in html
    assert (
        'Own site: <a href="https://elia.example.org/" rel="external noopener">'
        "https://elia.example.org/</a>"
    ) in html
    assert f'<a href="{storefront}">Storefront in the social market' in html
    assert (
        '<a href="https://elia.example.org/news/1" rel="external noopener">Νέα σοδειά</a>' in html
    )
    assert "Η σοδειά είναι καλή." in html
    assert '<h3 class="network-post__title">Χωρίς σύνδεσμο</h3>' in html
    assert "1 organisation</p>" in html
    assert "Αόρατος Φορέας" not in html
    assert "Feed of" not in html  # anonymous visitors have no organisation of their own


def test_network_page_survives_a_failed_feed(client, feed_server):
    feed = make_feed(feed_server.url("/broken.xml"), name="Συνεταιρισμός με Σπασμένη Ροή")
    network.fetch_feed(feed)
    feed.refresh_from_db()
    assert feed.failure_count == 1

    response = client.get("/thinktank/network/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Συνεταιρισμός με Σπασμένη Ροή" in html
    assert feed.last_error not in html


def test_network_page_links_members_to_their_feed_page(client):
    organisation = OrganisationFactory(is_verified=True, name="Δικός μας Φορέας")
    client.force_login(create_member(organisation))
    url = reverse("thinktank:network-feed", kwargs={"slug": organisation.code})

    html = client.get("/en/thinktank/network/").content.decode()

    assert f'<li><a href="/en{url}">Feed of Δικός μας Φορέας</a></li>' in html


def make_organisations_with_posts(count):
    for n in range(count):
        feed = make_feed(
            f"https://site{n}.example.org/feed", website=f"https://site{n}.example.org/"
        )
        for m in range(4):
            add_post(feed, m)


@pytest.mark.parametrize("count", [1, 30])
def test_network_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    make_organisations_with_posts(count)

    # Paginator count, organisations with their feeds, their posts, latest posts.
    with django_assert_num_queries(4):
        response = client.get("/thinktank/network/")

    assert response.status_code == 200
    assert len(response.context["organisations"]) == min(count, 24)


def test_network_page_second_page(client):
    for n in range(26):
        OrganisationFactory(is_verified=True, name=f"Φορέας {n:02d}")

    response = client.get("/thinktank/network/?page=2")

    assert [org.name for org in response.context["organisations"]] == ["Φορέας 24", "Φορέας 25"]


# Giving an organisation's feed -------------------------------------------------------


def test_member_registers_feed_and_it_is_read_at_once(client, feed_server):
    organisation = OrganisationFactory(is_verified=True)
    client.force_login(create_member(organisation))
    url = f"/en{reverse('thinktank:network-feed', kwargs={'slug': organisation.code})}"

    response = client.post(url, {"url": feed_server.url("/rss.xml")}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    feed = NetworkFeed.objects.get(organisation=organisation)
    assert feed.url == feed_server.url("/rss.xml")
    assert feed.posts.count() == 3
    assert [str(m) for m in response.context["messages"]] == [
        "The feed address was saved and read: 3 new posts."
    ]
    assert feed_server.url("/rss.xml") in response.content.decode()


def test_member_changing_the_address_drops_the_old_posts(client, feed_server):
    organisation = OrganisationFactory(is_verified=True)
    feed = NetworkFeed.objects.create(organisation=organisation, url=feed_server.url("/rss.xml"))
    network.fetch_feed(feed)
    client.force_login(create_member(organisation))

    client.post(
        reverse("thinktank:network-feed", kwargs={"slug": organisation.code}),
        {"url": feed_server.url("/atom.xml")},
    )

    feed.refresh_from_db()
    assert feed.url == feed_server.url("/atom.xml")
    assert list(feed.posts.values_list("title", flat=True)) == ["New solar park"]
    assert NetworkFeed.objects.count() == 1


def test_member_registering_a_failing_feed_is_told_why(client, feed_server):
    organisation = OrganisationFactory(is_verified=True)
    client.force_login(create_member(organisation))
    url = f"/en{reverse('thinktank:network-feed', kwargs={'slug': organisation.code})}"

    response = client.post(url, {"url": feed_server.url("/error.xml")}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The feed address was saved, but the feed could not be read: "
        "The site answered with HTTP status 500."
    ]
    feed = NetworkFeed.objects.get(organisation=organisation)
    assert (feed.failure_count, feed.posts.count()) == (1, 0)
    assert "(1 failed reading in a row)" in response.content.decode()


def test_feed_form_refuses_addresses_other_than_http(client):
    organisation = OrganisationFactory(is_verified=True)
    client.force_login(create_member(organisation))
    url = f"/en{reverse('thinktank:network-feed', kwargs={'slug': organisation.code})}"

    response = client.post(url, {"url": "ftp://example.org/feed.xml"})

    assert response.status_code == 200
    assert response.context["feed_form"].errors == {"url": ["Enter an http or https address."]}
    assert NetworkFeed.objects.count() == 0


def test_non_member_gets_404_and_nothing_changes(client, feed_server):
    organisation = OrganisationFactory(is_verified=True)
    feed = NetworkFeed.objects.create(
        organisation=organisation, url="https://mine.example.org/feed"
    )
    client.force_login(UserFactory())
    url = reverse("thinktank:network-feed", kwargs={"slug": organisation.code})

    assert client.get(url).status_code == 404
    assert client.post(url, {"url": feed_server.url("/rss.xml")}).status_code == 404

    feed.refresh_from_db()
    assert feed.url == "https://mine.example.org/feed"
    assert feed.last_fetched_at is None
    assert FeedPost.objects.count() == 0
    assert feed_server.requests == []


def test_member_of_another_organisation_gets_404(client):
    organisation = OrganisationFactory(is_verified=True)
    client.force_login(create_member(OrganisationFactory(is_verified=True)))

    url = reverse("thinktank:network-feed", kwargs={"slug": organisation.code})
    response = client.post(url, {"url": "https://evil.example.org/feed"})

    assert response.status_code == 404
    assert NetworkFeed.objects.count() == 0


def test_anonymous_visitor_is_sent_to_log_in(client):
    organisation = OrganisationFactory(is_verified=True)
    url = reverse("thinktank:network-feed", kwargs={"slug": organisation.code})

    response = client.post(url, {"url": "https://evil.example.org/feed"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("customer:login"))
    assert NetworkFeed.objects.count() == 0


def test_feed_page_shows_the_last_reading(client):
    organisation = OrganisationFactory(is_verified=False, name="Νέος Φορέας")
    NetworkFeed.objects.create(
        organisation=organisation,
        url="https://new.example.org/feed",
        last_fetched_at=timezone.now(),
        last_error="The site answered with HTTP status 503.",
        failure_count=2,
    )
    client.force_login(create_member(organisation))

    response = client.get(f"/en/thinktank/network/{organisation.code}/feed/")

    html = response.content.decode()
    assert "<h1>Feed of Νέος Φορέας</h1>" in html
    assert 'value="https://new.example.org/feed"' in html
    assert "The site answered with HTTP status 503. (2 failed readings in a row)" in html
    assert "once your organisation is verified" in html


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "[::1]"])
def test_fetch_feed_refuses_addresses_in_private_networks(settings, address):
    settings.THINKTANK_FEEDS_ALLOW_PRIVATE_ADDRESSES = False
    feed = make_feed(f"http://{address}:8080/feed.xml")

    assert network.fetch_feed(feed) == 0

    feed.refresh_from_db()
    assert feed.failure_count == 1
    assert feed.last_error == "Αυτή η διεύθυνση οδηγεί σε ιδιωτικό δίκτυο και δεν διαβάζεται."
    assert FeedPost.objects.count() == 0
