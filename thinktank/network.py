"""The network: member organisations' own sites, read through their RSS/Atom feeds.

Services fetch a feed and store its latest posts; selectors read what the pages show.
A feed that fails is recorded on its ``NetworkFeed`` row and never raises, so one broken
site cannot stop the others nor break a page.
"""

import html
import io
import ipaddress
import logging
import re
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.client import HTTPException
from urllib.parse import urlsplit

import feedparser
import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from thinktank.models import FeedPost, NetworkFeed

logger = logging.getLogger(__name__)

Partner = get_model("partner", "Partner")

USER_AGENT = "CoopSocietyBot/1.0 (+https://coopsociety.gr)"
MAX_FEED_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 20
TITLE_LENGTH = 300
SUMMARY_LENGTH = 600
GUID_LENGTH = 500
LINK_LENGTH = 1000
ERROR_LENGTH = 500
POSTS_PER_ORGANISATION = 3
ALLOWED_SCHEMES = {"http", "https"}
# Where a block of text starts or ends, so that "<p>One</p><p>Two</p>" reads "One Two".
BLOCK_TAG = re.compile(
    r"<(/?(?:address|article|blockquote|br|dd|div|dl|dt|figcaption|h[1-6]|hr|li|ol|p|pre"
    r"|section|table|td|th|tr|ul)\b)",
    re.IGNORECASE,
)


class FeedError(Exception):
    """A feed could not be read; the message is short and meant for the organisation."""


# Fetching ----------------------------------------------------------------------------


def refuse_private_address(url):
    """Raise FeedError when ``url``'s host resolves to a loopback, private, link-local
    or reserved address: a member's feed address must not make the server read its own
    network. ``THINKTANK_FEEDS_ALLOW_PRIVATE_ADDRESSES`` lifts this (tests, intranets)."""
    if getattr(settings, "THINKTANK_FEEDS_ALLOW_PRIVATE_ADDRESSES", False):
        return
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError) as error:
        raise FeedError(_("The address’s server could not be found.")) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise FeedError(_("This address points into a private network and is not read."))


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        refuse_private_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def web_opener():
    """An opener for http and https only: no file://, ftp:// or data: URLs, also not
    through a redirect, and no redirect into a private network."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _CheckedRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def is_web_url(url):
    """True for an absolute http or https URL."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc)


def _download(feed, timeout):
    """The feed's body with the response's ETag and Last-Modified, or None when the
    server answers 304 Not Modified to our conditional GET."""
    if not is_web_url(feed.url):
        raise FeedError(_("Only http and https addresses can be read."))
    refuse_private_address(feed.url)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8",
    }
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.modified:
        headers["If-Modified-Since"] = feed.modified
    request = urllib.request.Request(feed.url, headers=headers)
    try:
        with web_opener().open(request, timeout=timeout) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            etag = response.headers.get("ETag", "")
            modified = response.headers.get("Last-Modified", "")
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 304:
            return None
        raise FeedError(
            _("The site answered with HTTP status %(status)s.") % {"status": error.code}
        ) from error
    except urllib.error.URLError as error:
        raise FeedError(
            _("The site could not be reached: %(reason)s") % {"reason": error.reason}
        ) from error
    except (TimeoutError, OSError, HTTPException, ValueError) as error:
        raise FeedError(
            _("The site could not be reached: %(reason)s")
            % {"reason": str(error) or type(error).__name__}
        ) from error
    if len(body) > MAX_FEED_BYTES:
        raise FeedError(_("The feed is larger than 2 MB."))
    return body, etag, modified, content_type


def _parse(body, content_type):
    """The entries of an RSS or Atom document; FeedError when it is not one."""
    # A stream, never a string: feedparser would read a string naming a file or a URL.
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers={"content-type": content_type or "application/xml"}
    )
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FeedError(_("The address does not return a valid RSS or Atom feed."))
    return parsed.entries


# Cleaning entries --------------------------------------------------------------------


def plain_text(value, *, max_length=None):
    """``value`` with every HTML tag removed (scripts and styles with their content),
    entities decoded and whitespace collapsed, cut to ``max_length`` characters."""
    text = BLOCK_TAG.sub(r" <\1", str(value or ""))
    text = html.unescape(nh3.clean(text, tags=set()))
    text = " ".join(text.split())
    if max_length and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def _web_link(value):
    value = str(value or "").strip()
    if len(value) > LINK_LENGTH or not is_web_url(value):
        return ""
    return value


def _published_at(entry):
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _clean_entry(entry):
    """The fields of a FeedPost for one feedparser entry, or None when it has no
    identity (neither an id nor a link)."""
    link = _web_link(entry.get("link"))
    guid = str(entry.get("id") or entry.get("link") or "").strip()[:GUID_LENGTH]
    if not guid:
        return None
    title = plain_text(entry.get("title"), max_length=TITLE_LENGTH) or link[:TITLE_LENGTH]
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return {
        "guid": guid,
        "title": title or guid[:TITLE_LENGTH],
        "link": link,
        "summary": plain_text(summary, max_length=SUMMARY_LENGTH),
        "published_at": _published_at(entry),
    }


def _latest_entries(entries):
    """The newest MAX_ENTRIES cleaned entries, one per guid; undated ones last."""
    cleaned = {}
    for entry in entries:
        fields = _clean_entry(entry)
        if fields and fields["guid"] not in cleaned:
            cleaned[fields["guid"]] = fields
    oldest = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(
        cleaned.values(), key=lambda fields: fields["published_at"] or oldest, reverse=True
    )
    return ordered[:MAX_ENTRIES]


def _store(feed, entries):
    """Create the new posts and update the known ones; the number of new posts."""
    rows = _latest_entries(entries)
    existing = {post.guid: post for post in feed.posts.filter(guid__in=[r["guid"] for r in rows])}
    new_posts, changed = [], []
    fields = ("title", "link", "summary", "published_at")
    for row in rows:
        post = existing.get(row["guid"])
        if post is None:
            new_posts.append(FeedPost(feed=feed, **row))
        elif any(getattr(post, name) != row[name] for name in fields):
            for name in fields:
                setattr(post, name, row[name])
            changed.append(post)
    FeedPost.objects.bulk_create(new_posts)
    if changed:
        FeedPost.objects.bulk_update(changed, fields)
    return len(new_posts)


# Services ----------------------------------------------------------------------------


def fetch_feed(feed, *, timeout=10):
    """Read ``feed`` once and store its latest posts; the number of new posts.

    Never raises: a failure is recorded on the feed (``last_error``, ``failure_count``)
    and 0 is returned. A success clears them and sets ``last_success_at``.
    """
    now = timezone.now()
    try:
        downloaded = _download(feed, timeout)
        new_posts = 0
        with transaction.atomic():
            if downloaded is not None:
                body, etag, modified, content_type = downloaded
                new_posts = _store(feed, _parse(body, content_type))
                feed.etag = etag[:200]
                feed.modified = modified[:100]
            feed.last_fetched_at = now
            feed.last_success_at = now
            feed.last_error = ""
            feed.failure_count = 0
            feed.save(
                update_fields=[
                    "etag",
                    "modified",
                    "last_fetched_at",
                    "last_success_at",
                    "last_error",
                    "failure_count",
                ]
            )
        return new_posts
    except FeedError as error:
        message = str(error)
    except Exception:  # one broken feed must not stop the others
        logger.exception("Reading the feed %s failed", feed.url)
        message = _("The feed could not be read.")
    logger.info("Feed %s failed: %s", feed.url, message)
    _record_failure(feed, message, now)
    return 0


def _record_failure(feed, message, now):
    NetworkFeed.objects.filter(pk=feed.pk).update(
        last_error=message[:ERROR_LENGTH],
        last_fetched_at=now,
        failure_count=F("failure_count") + 1,
    )
    feed.refresh_from_db(fields=["last_error", "last_fetched_at", "failure_count"])


def feeds_to_fetch():
    """Active feeds of verified organisations."""
    return NetworkFeed.objects.filter(is_active=True, organisation__is_verified=True).order_by("pk")


def fetch_all_feeds(*, timeout=10):
    """Read every active feed of the verified organisations.

    Returns ``{"fetched": n, "failed": m, "new_posts": k}``; the failed feeds keep
    their error in ``last_error`` (see ``failed_feeds``).
    """
    counts = {"fetched": 0, "failed": 0, "new_posts": 0}
    for feed in feeds_to_fetch():
        counts["new_posts"] += fetch_feed(feed, timeout=timeout)
        if feed.last_error:
            counts["failed"] += 1
        else:
            counts["fetched"] += 1
    return counts


def failed_feeds():
    """Active feeds of verified organisations whose last reading failed."""
    return feeds_to_fetch().exclude(last_error="").select_related("organisation")


@transaction.atomic
def register_feed(*, organisation, url):
    """Set ``organisation``'s feed address (creating its feed). A changed address
    starts afresh: the old address's posts, validators and failures are gone."""
    feed = NetworkFeed.objects.select_for_update().filter(organisation=organisation).first()
    if feed is None:
        return NetworkFeed.objects.create(organisation=organisation, url=url)
    if feed.url != url:
        feed.posts.all().delete()
        feed.url = url
        feed.etag = ""
        feed.modified = ""
        feed.last_error = ""
        feed.failure_count = 0
    feed.is_active = True
    feed.save()
    return feed


# Selectors ---------------------------------------------------------------------------


def _posts_newest_first(queryset):
    return queryset.order_by(F("published_at").desc(nulls_last=True), "-pk")


def latest_network_posts(limit=10):
    """The newest posts of the active feeds of verified organisations."""
    posts = FeedPost.objects.filter(
        feed__is_active=True, feed__organisation__is_verified=True
    ).select_related("feed__organisation")
    return _posts_newest_first(posts)[:limit]


def network_organisations():
    """Verified organisations by name, each with its feed (``network_feed``, when it
    has one) carrying its newest posts in ``latest_posts``: three queries in all."""
    latest = _posts_newest_first(FeedPost.objects.all())[:POSTS_PER_ORGANISATION]
    return (
        Partner.objects.verified()
        .select_related("network_feed")
        .prefetch_related(Prefetch("network_feed__posts", queryset=latest, to_attr="latest_posts"))
        .order_by("name", "pk")
    )


def organisations_of_member(user):
    """The organisations ``user`` is a member of, by name (none when signed out)."""
    if user is None or not user.is_authenticated:
        return Partner.objects.none()
    return Partner.objects.filter(users=user).only("pk", "name", "code").order_by("name")
