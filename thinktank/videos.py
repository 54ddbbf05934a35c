"""Videos: privacy-enhanced embeds of YouTube and Vimeo links, and uploaded files.

The player address is only put in the page as data for the click-to-load placeholder
(static/js/consent-embed.js), so no request reaches YouTube or Vimeo before the visitor
asks for the video.
"""

import re
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
                  "www.youtube-nocookie.com"}  # fmt: skip
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
DEFAULT_MAX_VIDEO_BYTES = 500 * 1024 * 1024


def embed_url(url):
    """The privacy-enhanced player address for a YouTube or Vimeo link, else None."""
    try:
        parts = urlparse(url or "")
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower()
    video_id = None
    if host in _YOUTUBE_HOSTS:
        if parts.path == "/watch":
            video_id = parse_qs(parts.query).get("v", [None])[0]
        elif parts.path.startswith(("/embed/", "/shorts/", "/live/")):
            video_id = parts.path.split("/")[2]
        if video_id and _VIDEO_ID.match(video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}?rel=0"
    elif host == "youtu.be":
        video_id = parts.path.lstrip("/").split("/")[0]
        if _VIDEO_ID.match(video_id or ""):
            return f"https://www.youtube-nocookie.com/embed/{video_id}?rel=0"
    elif host in {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}:
        digits = [part for part in parts.path.split("/") if part.isdigit()]
        if digits:
            return f"https://player.vimeo.com/video/{digits[0]}?dnt=1"
    return None


def provider_name(url):
    embed = embed_url(url) or ""
    if "youtube" in embed:
        return "YouTube"
    if "vimeo" in embed:
        return "Vimeo"
    return ""


def validate_video_file(uploaded_file):
    """Accept MP4 and WebM files (judged by their first bytes) up to the size limit."""
    limit = getattr(settings, "THINKTANK_MAX_VIDEO_BYTES", DEFAULT_MAX_VIDEO_BYTES)
    if uploaded_file.size > limit:
        raise ValidationError(
            _("The video is too large: at most %(size)s."),
            params={"size": filesizeformat(limit)},
            code="too_large",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    is_mp4 = len(head) >= 12 and head[4:8] == b"ftyp"
    is_webm = head.startswith(b"\x1a\x45\xdf\xa3")
    if not (is_mp4 or is_webm):
        raise ValidationError(_("Upload an MP4 or WebM video."), code="not_a_video")
