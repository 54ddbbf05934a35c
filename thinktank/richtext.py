"""Markdown to safe HTML: every rendered body goes through an allow-list sanitiser.

Markdown itself lets raw HTML through, so its output is cleaned by nh3 (ammonia):
only the tags and attributes below survive, links may point to http(s) and mailto
only, and every link gets ``rel="noopener nofollow ugc"``.
"""

import functools
import html as html_module

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow ugc"
MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


def sanitise_html(html):
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


# The same bodies are shown again and again (a question's answers on every view of its
# page): each text is converted once per process. Conversion depends on the text alone.
CONVERTED_TEXTS_KEPT = 2048


@functools.lru_cache(maxsize=CONVERTED_TEXTS_KEPT)
def _safe_html(text):
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(html)


def render_markdown(text):
    """Markdown source → sanitised HTML, marked safe for templates."""
    if not text:
        return mark_safe("")
    return mark_safe(_safe_html(str(text)))  # noqa: S308 - sanitised by _safe_html


@functools.lru_cache(maxsize=CONVERTED_TEXTS_KEPT)
def _plain_text(text):
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS)
    return html_module.unescape(" ".join(nh3.clean(html, tags=set()).split()))


def plain_text(text, limit=None):
    """Markdown source → plain text (for summaries, feeds and search)."""
    cleaned = _plain_text(str(text or ""))
    if limit and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rsplit(" ", 1)[0] + "…"
    return cleaned
