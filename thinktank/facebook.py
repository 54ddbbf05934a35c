"""The platform's Facebook page in the think tank, with visitors' privacy first.

Two ways to show it, chosen by settings:

- **mirror**: with a Page access token (``FACEBOOK_PAGE_ACCESS_TOKEN``) the server
  copies the page's latest posts from the Graph API into ``FacebookPost`` rows and the
  pages show them from our database; visitors' browsers never contact Facebook.
- **plugin**: with only the page's address (``FACEBOOK_PAGE_URL``) the page shows a
  placeholder; Facebook's Page Plugin is loaded only after the visitor asks for it.
"""

import json
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.client import HTTPException
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils import timezone

from thinktank.models import FacebookPost
from thinktank.network import USER_AGENT, is_web_url, web_opener

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
PLUGIN_URL = "https://www.facebook.com/plugins/page.php"
PLUGIN_WIDTH = 500
PLUGIN_HEIGHT = 600


def _graph_posts_url(*, limit):
    # With a Page access token, "me" is the page itself.
    page_id = settings.FACEBOOK_PAGE_ID or "me"
    query = urlencode(
        {
            "fields": "id,message,permalink_url,created_time",
            "limit": limit,
            "access_token": settings.FACEBOOK_PAGE_ACCESS_TOKEN,
        }
    )
    return f"{settings.FACEBOOK_GRAPH_URL.rstrip('/')}/{quote(page_id, safe='')}/posts?{query}"


def _graph_error(error):
    """The Graph API's own explanation of an HTTP error, when it gave one."""
    try:
        body = json.loads(error.read(MAX_RESPONSE_BYTES))
        return body["error"]["message"]
    except Exception:
        return str(error)


def _created_time(value):
    """Graph API times look like 2024-05-01T09:30:00+0000."""
    try:
        created = datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        created = datetime.fromisoformat(str(value))
    if timezone.is_naive(created):
        created = created.replace(tzinfo=UTC)
    return created


def _read_posts(limit):
    request = urllib.request.Request(
        _graph_posts_url(limit=limit),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    )
    with web_opener().open(request, timeout=10) as response:
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ValueError("the Graph API answer is larger than 2 MB")
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ValueError("the Graph API answer has no list of posts")
    return data["data"]


def mirror_facebook_posts(*, limit=10):
    """Copy the page's latest ``limit`` posts into ``FacebookPost``; the number of new
    ones. Does nothing without a Page access token; failures are logged, never raised."""
    if not settings.FACEBOOK_PAGE_ACCESS_TOKEN:
        logger.info("No FACEBOOK_PAGE_ACCESS_TOKEN: the Facebook page is not mirrored")
        return 0
    if not is_web_url(settings.FACEBOOK_GRAPH_URL):
        logger.warning("FACEBOOK_GRAPH_URL must be an http or https address")
        return 0
    try:
        items = _read_posts(limit)
    except urllib.error.HTTPError as error:
        # Never log the URL: it carries the access token.
        logger.warning("The Graph API refused the posts (%s): %s", error.code, _graph_error(error))
        return 0
    except (urllib.error.URLError, TimeoutError, OSError, HTTPException, ValueError) as error:
        logger.warning("The Facebook posts could not be read: %s", error)
        return 0
    new_posts = 0
    for item in items:
        try:
            post_id = str(item["id"])[:100]
            created_time = _created_time(item["created_time"])
        except (KeyError, TypeError, ValueError):
            logger.warning("A Facebook post without an id or a valid time was skipped")
            continue
        permalink = str(item.get("permalink_url") or "")
        if not is_web_url(permalink) or len(permalink) > 500:
            permalink = ""
        _post, created = FacebookPost.objects.update_or_create(
            post_id=post_id,
            defaults={
                "message": str(item.get("message") or ""),
                "permalink": permalink,
                "created_time": created_time,
            },
        )
        new_posts += created
    return new_posts


def latest_facebook_posts(limit=5):
    """The newest mirrored posts of the platform's Facebook page."""
    return FacebookPost.objects.order_by("-created_time", "-pk")[:limit]


def facebook_plugin_src(page_url):
    """The address of Facebook's Page Plugin showing ``page_url``'s timeline."""
    query = urlencode(
        {"href": page_url, "tabs": "timeline", "width": PLUGIN_WIDTH, "height": PLUGIN_HEIGHT}
    )
    return f"{PLUGIN_URL}?{query}"


def facebook_feed_context(*, limit=5):
    """What ``thinktank/partials/facebook_feed.html`` needs.

    ``mode`` is "mirror" (posts from our database, no request to Facebook), "plugin"
    (a placeholder that loads Facebook's plugin on request) or "off".
    """
    page_url = settings.FACEBOOK_PAGE_URL if is_web_url(settings.FACEBOOK_PAGE_URL) else ""
    if settings.FACEBOOK_PAGE_ACCESS_TOKEN:
        return {
            "mode": "mirror",
            "page_url": page_url,
            "posts": list(latest_facebook_posts(limit)),
        }
    if page_url:
        return {
            "mode": "plugin",
            "page_url": page_url,
            "embed_src": facebook_plugin_src(page_url),
            "width": PLUGIN_WIDTH,
            "height": PLUGIN_HEIGHT,
        }
    return {"mode": "off"}
