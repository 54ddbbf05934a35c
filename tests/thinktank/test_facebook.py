"""The platform's Facebook page: a click-to-load placeholder that requests nothing from
Facebook before the click, or posts mirrored from a local stand-in for the Graph API."""

import datetime
import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from thinktank import tasks
from thinktank.facebook import facebook_feed_context, mirror_facebook_posts
from thinktank.models import FacebookPost

pytestmark = pytest.mark.django_db

TOKEN = "page-token-secret"  # noqa: S105
GRAPH_POSTS = {
    "data": [
        {
            "id": "12345_1",
            "message": "Συνέλευση τη Δευτέρα.\nΌλοι ευπρόσδεκτοι <b>εδώ</b>!",
            "permalink_url": "https://www.facebook.com/coopsociety.gr/posts/1",
            "created_time": "2024-11-04T09:30:00+0000",
        },
        {
            "id": "12345_2",
            "permalink_url": "javascript:alert(1)",
            "created_time": "2024-11-01T18:00:00+0000",
        },
    ],
    "paging": {"cursors": {"before": "a", "after": "b"}},
}
# A src attribute (not data-embed-src) whose address is Facebook's: a request before the click.
FACEBOOK_SRC = re.compile(r"(?<![\w-])src\s*=\s*[\"']?[^\"'>\s]*facebook\.(com|net)", re.I)


class GraphHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        status, payload = self.server.answer
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def graph_api(settings):
    """A local HTTP server answering like the Graph API, with the settings pointing at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), GraphHandler)
    server.requests = []
    server.answer = (200, GRAPH_POSTS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FACEBOOK_GRAPH_URL = f"http://127.0.0.1:{server.server_address[1]}/v21.0"
    settings.FACEBOOK_PAGE_ID = "12345"
    settings.FACEBOOK_PAGE_ACCESS_TOKEN = TOKEN
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def assert_no_request_to_facebook(html):
    assert "<iframe" not in html
    assert not FACEBOOK_SRC.search(html)
    for script in re.findall(r"<script[^>]*>", html):
        assert "facebook" not in script
    assert "connect.facebook.net" not in html


# Plugin mode: a placeholder until the visitor asks ----------------------------------


@override_settings(
    FACEBOOK_PAGE_ACCESS_TOKEN="", FACEBOOK_PAGE_URL="https://www.facebook.com/coopsociety.gr"
)
def test_plugin_mode_shows_a_placeholder_and_requests_nothing_from_facebook(client):
    response = client.get("/en/thinktank/network/")

    html = response.content.decode()
    assert response.status_code == 200
    assert_no_request_to_facebook(html)
    assert "data-consent-embed" in html
    assert '<button type="button" class="btn btn-primary" data-consent-load>' in html
    assert "Show the Facebook feed" in html
    assert (
        'data-embed-src="https://www.facebook.com/plugins/page.php?'
        "href=https%3A%2F%2Fwww.facebook.com%2Fcoopsociety.gr&amp;tabs=timeline"
        '&amp;width=500&amp;height=600"'
    ) in html
    assert 'data-embed-title="Posts of our Facebook page"' in html
    assert re.search(r'<script src="/static/js/consent-embed\.js" defer></script>', html)


@override_settings(FACEBOOK_PAGE_ACCESS_TOKEN="", FACEBOOK_PAGE_URL="")
def test_off_mode_shows_no_facebook_section(client):
    html = client.get("/en/thinktank/network/").content.decode()

    assert facebook_feed_context() == {"mode": "off"}
    assert "Live feed from Facebook" not in html
    assert "data-consent-embed" not in html


def test_plugin_mode_refuses_a_page_address_that_is_not_a_web_address(settings):
    settings.FACEBOOK_PAGE_ACCESS_TOKEN = ""
    settings.FACEBOOK_PAGE_URL = "javascript:alert(1)"

    assert facebook_feed_context() == {"mode": "off"}


# Mirror mode: posts copied server-side ----------------------------------------------


def test_mirror_stores_posts_from_the_graph_api(graph_api):
    assert mirror_facebook_posts(limit=5) == 2

    rows = list(
        FacebookPost.objects.order_by("-created_time").values_list(
            "post_id", "message", "permalink", "created_time"
        )
    )
    assert rows == [
        (
            "12345_1",
            "Συνέλευση τη Δευτέρα.\nΌλοι ευπρόσδεκτοι <b>εδώ</b>!",
            "https://www.facebook.com/coopsociety.gr/posts/1",
            datetime.datetime(2024, 11, 4, 9, 30, tzinfo=datetime.UTC),
        ),
        ("12345_2", "", "", datetime.datetime(2024, 11, 1, 18, 0, tzinfo=datetime.UTC)),
    ]
    (path,) = graph_api.requests
    parts = urlsplit(path)
    assert parts.path == "/v21.0/12345/posts"
    assert parse_qs(parts.query) == {
        "fields": ["id,message,permalink_url,created_time"],
        "limit": ["5"],
        "access_token": [TOKEN],
    }


def test_mirror_twice_updates_without_duplicates(graph_api):
    mirror_facebook_posts()
    graph_api.answer = (
        200,
        {"data": [dict(GRAPH_POSTS["data"][0], message="Διορθωμένο κείμενο")]},
    )

    assert mirror_facebook_posts() == 0

    assert FacebookPost.objects.count() == 2
    assert FacebookPost.objects.get(post_id="12345_1").message == "Διορθωμένο κείμενο"


def test_mirror_without_page_id_asks_for_the_tokens_own_page(graph_api, settings):
    settings.FACEBOOK_PAGE_ID = ""

    mirror_facebook_posts()

    assert urlsplit(graph_api.requests[0]).path == "/v21.0/me/posts"


def test_mirror_failure_is_logged_without_the_token(graph_api, caplog):
    graph_api.answer = (400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})

    with caplog.at_level(logging.WARNING, logger="thinktank.facebook"):
        assert mirror_facebook_posts() == 0

    assert FacebookPost.objects.count() == 0
    assert "Invalid OAuth access token." in caplog.text
    assert TOKEN not in caplog.text


def test_mirror_of_an_unexpected_answer_stores_nothing(graph_api):
    graph_api.answer = (200, ["not", "an", "object"])

    assert mirror_facebook_posts() == 0
    assert FacebookPost.objects.count() == 0


def test_mirror_without_a_token_does_nothing(settings):
    settings.FACEBOOK_PAGE_ACCESS_TOKEN = ""
    settings.FACEBOOK_GRAPH_URL = "http://127.0.0.1:9/unreachable"

    assert mirror_facebook_posts() == 0
    assert FacebookPost.objects.count() == 0


def test_mirror_mode_page_lists_posts_and_requests_nothing_from_facebook(graph_api, client):
    tasks.fetch_facebook_posts.delay()

    response = client.get("/en/thinktank/network/")

    html = response.content.decode()
    assert_no_request_to_facebook(html)
    assert "data-consent-embed" not in html
    assert "consent-embed.js" not in html
    assert (
        '<div class="facebook-post__message"><p>Συνέλευση τη Δευτέρα.<br>'
        "Όλοι ευπρόσδεκτοι &lt;b&gt;εδώ&lt;/b&gt;!</p></div>"
    ) in html
    assert (
        '<a href="https://www.facebook.com/coopsociety.gr/posts/1" rel="noopener nofollow ugc">'
        "Read on Facebook"
    ) in html
    assert 'href="javascript:' not in html
    assert len(graph_api.requests) == 1  # the page itself asked the Graph API nothing


def test_fetch_facebook_posts_command_without_token_says_so(settings, capsys):
    settings.FACEBOOK_PAGE_ACCESS_TOKEN = ""

    call_command("fetch_facebook_posts")

    assert "FACEBOOK_PAGE_ACCESS_TOKEN is not set: nothing to do." in capsys.readouterr().out
    assert FacebookPost.objects.count() == 0


def test_fetch_facebook_posts_command_mirrors(graph_api, capsys):
    call_command("fetch_facebook_posts", limit=2)

    assert capsys.readouterr().out == "New Facebook posts: 2\n"
    assert "limit=2" in graph_api.requests[0]
