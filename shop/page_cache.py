"""Whole-page cache for anonymous visitors, per language, invalidated by content changes.

A visitor with no session, basket or message cookie sees exactly what every other such
visitor sees, apart from the CSRF token in forms. Those pages are stored in the cache
with the token replaced by a placeholder; each visitor served from the cache gets their
own token put back, so the add-to-basket and search forms keep working without
JavaScript.

Each page belongs to one or more sections (market, think tank, MENTORS, site). Saving or
deleting a row of a section's apps bumps that section's generation, a number that is part
of every cache key of its pages: the next request renders afresh. Nothing is ever deleted
by pattern, so this works the same on Redis and on the local-memory cache.

Each server process also keeps the generations it last read for
``PAGE_CACHE_LOCAL_SECONDS`` (1 s) and its most requested pages in memory
(``PAGE_CACHE_LOCAL_PAGES``): a popular page is then served with no call to Redis at
all, and a change still reaches every visitor within about a second.
"""

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils.cache import cc_delim_re

CSRF_PLACEHOLDER = "__page_cache_csrf_token__"
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')

# Cookies that never change what a page shows. Any other cookie (session, basket,
# messages, ...) means the page may be personal, so it is not served from the cache.
NEUTRAL_COOKIES = {"csrftoken", "django_language"}

# Which apps' rows each section's pages show. The home page and the site search show
# all of them.
SECTION_APPS = {
    "market": {"catalogue", "partner", "offer", "reviews", "order", "shipping"},
    "thinktank": {"thinktank"},
    "mentors": {"mentors"},
    "site": {"flatpages", "sites"},
}
SECTION_PATHS = {"market": "/market/", "thinktank": "/thinktank/", "mentors": "/mentors/"}
# Never cached: personal, transactional or machine pages.
EXCLUDED_PREFIXES = (
    "/accounts/",
    "/dashboard/",
    "/admin/",
    "/market/basket/",
    "/market/checkout/",
    "/market/wishlists/",
    "/healthz",
    "/readyz",
)
MAX_QUERY_LENGTH = 512
# How long visitors wait for a page another process is rendering before rendering it
# themselves (a page that cannot be cached, or a crashed renderer).
RENDER_LOCK_SECONDS = 3


def sections_of_app(app_label):
    return [section for section, apps in SECTION_APPS.items() if app_label in apps]


def _generation_key(section):
    return f"page-cache:generation:{section}"


def bump_sections(sections):
    """Make every cached page of these sections stale (after the transaction commits)."""

    def bump():
        for section in sections:
            key = _generation_key(section)
            try:
                cache.incr(key)
            except ValueError:  # not yet in the cache: any new value differs
                cache.set(key, _new_generation(), timeout=None)
        _local.forget_generations()  # this process sees its own change at once

    transaction.on_commit(bump)


def _new_generation():
    """A first generation no earlier cache content can carry: after Redis lost its
    keys, pages a process kept under the old generations are never served again."""
    return secrets.randbelow(2**48) + 1


class _ProcessLocal:
    """The generations read last, and a few pages, kept in this process's memory."""

    def __init__(self):
        self.lock = threading.Lock()
        self.generations = {}
        self.generations_read_at = float("-inf")
        self.pages = OrderedDict()  # key -> (expires_at, stored page), least recent first

    def forget_generations(self):
        with self.lock:
            self.generations_read_at = float("-inf")

    def generations_of(self, sections):
        """``{section: generation}``, from memory when read less than
        ``PAGE_CACHE_LOCAL_SECONDS`` ago; every section is read in one call."""
        now = time.monotonic()
        with self.lock:
            fresh = now - self.generations_read_at < settings.PAGE_CACHE_LOCAL_SECONDS
            if fresh and all(section in self.generations for section in sections):
                return {section: self.generations[section] for section in sections}
        wanted = sorted(set(SECTION_APPS) | set(sections))
        found = cache.get_many([_generation_key(section) for section in wanted])
        for section in wanted:
            key = _generation_key(section)
            if key not in found:
                cache.add(key, _new_generation(), timeout=None)
                found[key] = cache.get(key) or 0
        generations = {section: found[_generation_key(section)] for section in wanted}
        with self.lock:
            self.generations = generations
            self.generations_read_at = now
        return {section: generations[section] for section in sections}

    def page(self, key):
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return entry[1]

    def keep_page(self, key, stored):
        limit = settings.PAGE_CACHE_LOCAL_PAGES
        if limit <= 0:
            return
        with self.lock:
            self.pages[key] = (time.monotonic() + settings.PAGE_CACHE_SECONDS, stored)
            self.pages.move_to_end(key)
            while len(self.pages) > limit:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.generations = {}
            self.generations_read_at = float("-inf")
            self.pages.clear()


_local = _ProcessLocal()


def clear_process_memory():
    """Forget the generations and pages this process keeps (as a new process starts)."""
    _local.clear()


def _generation_stamp(sections):
    generations = _local.generations_of(sections)
    return ".".join(str(generations[section]) for section in sections)


def _strip_language_prefix(path):
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


def page_sections(path):
    """The sections whose changes can alter the page at this path."""
    path = _strip_language_prefix(path)
    for section, prefix in SECTION_PATHS.items():
        if path.startswith(prefix):
            return [section, "site"]
    return list(SECTION_APPS)


def is_cacheable_request(request):
    if request.method != "GET":
        return False
    if any(name not in NEUTRAL_COOKIES for name in request.COOKIES):
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return False
    path = _strip_language_prefix(request.path)
    return not path.startswith(EXCLUDED_PREFIXES)


def _page_key(request, sections):
    stamp = _generation_stamp(sections)
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return f"page-cache:page:{language}:{stamp}:{request.get_host()}:{request.get_full_path()}"


def _wait_for(key):
    """The page another process is rendering, or None when it takes too long."""
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        found = cache.get_many([key, f"{key}:rendering"])
        if key in found:
            return found[key]
        if f"{key}:rendering" not in found:  # rendered, but not cacheable
            return None
    return None


def cached_on_content(sections, key, compute):
    """``compute()``, kept in the cache until a row of ``sections`` changes.

    For costly parts of pages that signed-in members see too (the catalogue's facet
    counts, search results): the same key and generations as the page cache, so it is on
    only where the page cache is (a cache shared by all server processes).
    """
    if not settings.PAGE_CACHE_ENABLED:
        return compute()
    stamp = _generation_stamp(sections)
    digest = hashlib.sha256(key.encode()).hexdigest()
    full_key = f"page-cache:part:{stamp}:{digest}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout=settings.PAGE_CACHE_SECONDS)
    return value


def _is_cacheable_response(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    if any(name not in NEUTRAL_COOKIES for name in response.cookies):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous visitors' pages; see the module's docstring.

    Sits after CsrfViewMiddleware (which sets the CSRF cookie of a visitor served from
    the cache) and after LocaleMiddleware (which picks the language from the path).
    """

    header = "X-Page-Cache"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED or not is_cacheable_request(request):
            return self.get_response(request)

        key = _page_key(request, page_sections(request.path))
        stored = _local.page(key)
        if stored is not None:
            return self._from_cache(request, stored)
        stored = cache.get(key)
        if stored is None and not cache.add(f"{key}:rendering", 1, RENDER_LOCK_SECONDS):
            # Another process is rendering this page right now: wait for it rather
            # than render the same page once more per waiting visitor.
            stored = _wait_for(key)
        if stored is not None:
            _local.keep_page(key, stored)
            return self._from_cache(request, stored)

        response = self.get_response(request)
        if _is_cacheable_response(request, response):
            stored = self._to_cache(response)
            cache.set(key, stored, timeout=settings.PAGE_CACHE_SECONDS)
            _local.keep_page(key, stored)
            response[self.header] = "miss"
        cache.delete(f"{key}:rendering")
        return response

    @staticmethod
    def _to_cache(response):
        content = CSRF_INPUT.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in {"content-length", "set-cookie", "x-page-cache"}
        }
        return {"content": content, "headers": headers}

    def _from_cache(self, request, stored):
        from django.http import HttpResponse

        content = stored["content"]
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request))
        response = HttpResponse(content)
        for name, value in stored["headers"].items():
            response[name] = value
        response[self.header] = "hit"
        return response


def connect_invalidation():
    """Bump the right sections whenever a row is saved or deleted, or a relation changes."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def on_change(sender, **kwargs):
        if kwargs.get("raw"):
            return
        sections = sections_of_app(sender._meta.app_label)
        if sections:
            bump_sections(sections)

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(on_change, dispatch_uid=f"page-cache-{signal!r}", weak=False)
