"""Product pictures for the demo data, drawn with Pillow (no files to download)."""

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PALETTES = [
    ((31, 107, 67), (244, 197, 66)),
    ((156, 69, 22), (250, 224, 180)),
    ((29, 78, 137), (186, 222, 255)),
    ((120, 40, 90), (250, 210, 230)),
    ((70, 90, 20), (220, 235, 160)),
    ((40, 40, 40), (240, 180, 80)),
]
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
]


def _font(size):
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size), True
    return ImageFont.load_default(size=size), False


def product_image(title, *, size=600):
    """A square JPEG with a pattern and the product's initials, the same for the same title."""
    digest = hashlib.sha256(title.encode()).digest()
    dark, light = PALETTES[digest[0] % len(PALETTES)]
    image = Image.new("RGB", (size, size), light)
    draw = ImageDraw.Draw(image)
    for ring in range(6):
        radius = size * (0.55 - ring * 0.08)
        centre_x = size * (0.3 + digest[1 + ring] / 255 * 0.4)
        centre_y = size * (0.3 + digest[7 + ring] / 255 * 0.4)
        shade = tuple(int(d + (li - d) * ring / 6) for d, li in zip(dark, light, strict=True))
        draw.ellipse(
            (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius),
            fill=shade,
        )
    font, unicode_font = _font(size // 4)
    words = [word for word in title.split() if word[:1].isalpha()]
    initials = "".join(word[0] for word in words[:2]).upper()
    if not unicode_font:
        from shop.text import transliterate_greek

        initials = transliterate_greek(initials)[:2].upper()
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
