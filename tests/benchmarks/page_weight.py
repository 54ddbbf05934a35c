"""The weight of the scripts and styles a page makes the browser load, read from its HTML.

``page_weight(html)`` finds the page's ``<script src>`` and ``<link rel="stylesheet">``
that point to our own static files, reads each file from disk and adds its size, raw and
gzipped (as WhiteNoise serves it), to the inline ``<script>`` and ``<style>`` blocks.
Files are found by Django's staticfiles finders, in a ``STATIC_ROOT``-like folder, or by
any object with a ``find(path)`` method; hashed names (``site.3f2a9c01b7de.css``) and
query strings are stripped when the file itself is not there. Nothing goes over the
network: scripts of other sites are only listed, under ``"external"``.

It also lists the page's images with the attributes that matter for loading them::

    >>> weight = page_weight(html)
    >>> weight["js_gzip_bytes"], weight["css_gzip_bytes"], weight["js_files"]
    (0, 49669, [])
"""

import gzip
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Inline scripts of these types are data for other scripts, not code the browser runs.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "importmap", "text/template"}
# ManifestStaticFilesStorage's name.<12 hex digits>.suffix
HASHED_NAME = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{12}(?P<suffix>(\.[A-Za-z0-9]+)+)$")
IMAGE_ATTRIBUTES = ("src", "alt", "width", "height", "loading", "decoding", "fetchpriority")


def page_weight(html: str, static_root_or_finder=None) -> dict:
    """Bytes of JS and CSS, raw and gzipped, the local files behind them, the images.

    ``static_root_or_finder``: None for Django's staticfiles finders, a folder (str or
    Path) laid out like ``STATIC_ROOT``, or an object with a ``find(path)`` method (a
    finder, or ``django.contrib.staticfiles.finders`` itself) returning a path or None.
    """
    assets = _Assets()
    assets.feed(html)
    assets.close()
    find = _finder(static_root_or_finder)
    static_url = _static_url()

    weight = {
        "js_bytes": 0,
        "css_bytes": 0,
        "js_gzip_bytes": 0,
        "css_gzip_bytes": 0,
        "js_files": [],
        "css_files": [],
        "images": assets.images,
        "external": [],
    }
    for kind, urls, inline in (
        ("js", assets.script_urls, assets.inline_scripts),
        ("css", assets.stylesheet_urls, assets.inline_styles),
    ):
        for url in urls:
            name = _static_name(url, static_url)
            if name is None:
                weight["external"].append(url)
                continue
            found, path = _locate(name, find)
            raw, zipped = _file_sizes(str(path), path.stat().st_mtime_ns)
            weight[f"{kind}_files"].append(found)
            weight[f"{kind}_bytes"] += raw
            weight[f"{kind}_gzip_bytes"] += zipped
        for text in inline:
            data = text.encode()
            weight[f"{kind}_bytes"] += len(data)
            weight[f"{kind}_gzip_bytes"] += len(_gzip(data))
    return weight


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.script_urls, self.stylesheet_urls = [], []
        self.inline_scripts, self.inline_styles = [], []
        self.images = []
        self._inline = None  # the list the current <script>/<style> text goes to

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "script":
            if attributes.get("src"):
                self.script_urls.append(attributes["src"])
            elif attributes.get("type", "").strip().lower() not in DATA_SCRIPT_TYPES:
                self.inline_scripts.append("")
                self._inline = self.inline_scripts
        elif tag == "style":
            self.inline_styles.append("")
            self._inline = self.inline_styles
        elif tag == "link":
            if "stylesheet" in attributes.get("rel", "").lower().split() and attributes.get("href"):
                self.stylesheet_urls.append(attributes["href"])
        elif tag == "img":
            self.images.append({name: attributes.get(name) for name in IMAGE_ATTRIBUTES})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._inline = None

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._inline = None

    def handle_data(self, data):
        if self._inline is not None:
            self._inline[-1] += data


def _finder(static_root_or_finder):
    if static_root_or_finder is None:
        from django.contrib.staticfiles import finders

        return finders.find
    if isinstance(static_root_or_finder, str | Path):
        root = Path(static_root_or_finder)

        def find_in_root(name):
            path = root / name
            return path if path.is_file() else None

        return find_in_root
    if hasattr(static_root_or_finder, "find"):
        return static_root_or_finder.find
    if callable(static_root_or_finder):
        return static_root_or_finder
    raise TypeError(f"Not a static folder or finder: {static_root_or_finder!r}")


def _static_url():
    try:
        from django.conf import settings

        return settings.STATIC_URL or "/static/"
    except Exception:  # Django not configured: a plain folder was given.
        return "/static/"


def _static_name(url, static_url):
    """The file name below the static URL, or None for another site's or page's URL."""
    parts = urlsplit(url)
    static = urlsplit(static_url)
    other_site = (parts.scheme, parts.netloc) != (static.scheme, static.netloc)
    if (parts.scheme or parts.netloc) and (other_site or not static.netloc):
        return None
    if not parts.path.startswith(static.path):
        return None
    return unquote(parts.path[len(static.path) :])


def _locate(name, find):
    """(name found, absolute path): the name as given, else without its content hash."""
    candidates = [name]
    directory, _slash, file_name = name.rpartition("/")
    hashed = HASHED_NAME.match(file_name)
    if hashed:
        unhashed = hashed["stem"] + hashed["suffix"]
        candidates.append(f"{directory}/{unhashed}" if directory else unhashed)
    for candidate in candidates:
        found = find(candidate)
        if isinstance(found, list | tuple):
            found = found[0] if found else None
        if found:
            return candidate, Path(found)
    raise FileNotFoundError(f"The page links to a static file that does not exist: {name}")


@lru_cache(maxsize=256)
def _file_sizes(path, _modified):
    data = Path(path).read_bytes()
    return len(data), len(_gzip(data))


def _gzip(data):
    return gzip.compress(data, compresslevel=9, mtime=0)
