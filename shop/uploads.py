"""Checking and cleaning uploaded images (organisation logos and covers, product images).

``validate_image_file`` accepts only intact JPEG, PNG or WebP pictures of a sensible
size, judged by what Pillow reads in the file, never by its name or content type.
``clean_image_file`` re-encodes an accepted picture from its pixels alone, so that no
metadata (EXIF with the GPS position, XMP, comments) is published, and names it safely.
"""

import io
import os
import warnings
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from shop.text import slugify_greek

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MIN_SIDE = 100
DEFAULT_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})

# Camera JPEGs that carry extra pictures (previews, depth maps) are read as MPO.
_FORMAT_ALIASES = {"MPO": "JPEG"}
_FORMAT_NAMES = {"WEBP": "WebP"}
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 88, "optimize": True, "progressive": True},
    "WEBP": {"quality": 85},
}
_MAX_NAME_LENGTH = 80
_NOT_AN_IMAGE = _("This file is not an image, or it is damaged.")


def validate_image_file(uploaded_file) -> None:
    """Raise ValidationError unless the upload is an allowed, intact, sensibly sized image."""
    _checked_image(uploaded_file)


def clean_image_file(uploaded_file) -> ContentFile:
    """Validate the upload; return it re-encoded without metadata, under a safe name."""
    image_format, image = _checked_image(uploaded_file)
    return ContentFile(
        _encode(image, image_format), name=_safe_name(uploaded_file.name, image_format)
    )


def _checked_image(uploaded_file):
    """Run every check; return (format, decoded upright image). The file is rewound."""
    try:
        _check_byte_size(uploaded_file.size)
        image_format, (width, height) = _read_header(uploaded_file)
        _check_format(image_format)
        _check_pixels(width, height)
        _check_sides(width, height)
        return image_format, _decode(uploaded_file)
    finally:
        uploaded_file.seek(0)


@contextmanager
def _read_by_pillow():
    """Turn Pillow's complaints about the file's content into ValidationErrors."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image has too many pixels; the largest allowed is %(limit)s pixels."),
            code="image_too_many_pixels",
            params={"limit": _number(_max_pixels())},
        ) from error
    # Pillow reports malformed data with many exception types (OSError, SyntaxError,
    # ValueError, struct.error, ...); Django's ImageField catches them all the same way.
    except Exception as error:
        raise ValidationError(_NOT_AN_IMAGE, code="invalid_image") from error


def _read_header(uploaded_file):
    """The real format and size, read from the file's header only."""
    uploaded_file.seek(0)
    with _read_by_pillow(), Image.open(uploaded_file) as image:
        return _FORMAT_ALIASES.get(image.format, image.format), image.size


def _decode(uploaded_file):
    """Verify the whole file, then decode it and turn it as its EXIF orientation says."""
    with _read_by_pillow():
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as image:
            image.verify()
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as image:
            return ImageOps.exif_transpose(image)


def _check_byte_size(size):
    limit = getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    if size > limit:
        raise ValidationError(
            _("The image is %(size)s; the largest allowed is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


def _check_format(image_format):
    allowed = getattr(settings, "IMAGE_UPLOAD_FORMATS", DEFAULT_FORMATS)
    if image_format not in allowed:
        names = [_FORMAT_NAMES.get(name, name) for name in sorted(allowed)]
        raise ValidationError(
            _("Only %(allowed)s images are allowed; this file is %(format)s."),
            code="invalid_image_format",
            params={
                "allowed": get_text_list(names, _("and")),
                "format": _FORMAT_NAMES.get(image_format, image_format),
            },
        )


def _max_pixels():
    return getattr(settings, "IMAGE_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def _check_pixels(width, height):
    if width * height > _max_pixels():
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels, %(pixels)s in total; "
                "the largest allowed is %(limit)s pixels."
            ),
            code="image_too_many_pixels",
            params={
                "width": _number(width),
                "height": _number(height),
                "pixels": _number(width * height),
                "limit": _number(_max_pixels()),
            },
        )


def _check_sides(width, height):
    minimum = getattr(settings, "IMAGE_UPLOAD_MIN_SIDE", DEFAULT_MIN_SIDE)
    if min(width, height) < minimum:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels; "
                "each side must be at least %(minimum)s pixels."
            ),
            code="image_too_small",
            params={"width": _number(width), "height": _number(height), "minimum": minimum},
        )


def _number(value):
    """An integer with the active language's thousands separator: 40,000,000."""
    return number_format(value, force_grouping=True)


def _encode(image, image_format):
    """Save the pixels and colour profile only: EXIF, XMP and comments stay behind."""
    pixels = _convert_for(image, image_format)
    options = dict(_SAVE_OPTIONS.get(image_format, {}))
    if profile := _colour_profile(image, pixels):
        options["icc_profile"] = profile
    # JPEG has no transparency, and WebP keeps it in the alpha channel.
    if "transparency" in pixels.info and image_format not in ("JPEG", "WEBP"):
        options["transparency"] = pixels.info["transparency"]
    pixels.info = {}
    buffer = io.BytesIO()
    pixels.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _convert_for(image, image_format):
    """The image in a mode the format can store (PNG stores every mode Pillow reads)."""
    if image_format == "JPEG" and image.mode not in ("L", "RGB"):
        return image.convert("RGB")
    if image_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if image.has_transparency_data else "RGB")
    return image


def _colour_profile(source, converted):
    """The source's ICC profile, if it still describes the converted pixels."""
    profile = source.info.get("icc_profile")
    same_space = source.mode != "CMYK" and (
        Image.getmodebase(source.mode) == Image.getmodebase(converted.mode)
    )
    return profile if same_space else None


def _safe_name(client_name, image_format):
    """A Latin slug of the client's base name, with the extension of the real format."""
    base_name = os.path.basename((client_name or "").replace("\\", "/"))
    stem, dot, _extension = base_name.rpartition(".")  # everything after the last dot
    stem = (stem if dot else base_name).replace(".", " ")
    slug = slugify_greek(stem)[:_MAX_NAME_LENGTH].strip("-_") or "image"
    return slug + _EXTENSIONS.get(image_format, "." + image_format.lower())
