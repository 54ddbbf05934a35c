import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from PIL import ExifTags, Image, PngImagePlugin

from shop.uploads import clean_image_file, validate_image_file

NOT_AN_IMAGE = "This file is not an image, or it is damaged."


def _image_bytes(image_format, size=(200, 150), mode="RGB", color="seagreen", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _noise_jpeg(size=(400, 300)):
    """A JPEG whose scan data is large and cannot be compressed away."""
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def _upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _rejection(uploaded_file):
    """The code and English messages of the error validate_image_file raises."""
    with override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_image_file(uploaded_file)
        return caught.value.code, caught.value.messages


def _open(content_file):
    content_file.seek(0)
    image = Image.open(io.BytesIO(content_file.read()))
    image.load()
    return image


def _near(pixel, expected, tolerance=12):
    """JPEG changes colours slightly: compare channel by channel within a tolerance."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


@pytest.mark.parametrize(
    ("name", "image_format", "content_type"),
    [
        ("photo.jpg", "JPEG", "image/jpeg"),
        ("logo.png", "PNG", "image/png"),
        ("cover.webp", "WEBP", "image/webp"),
    ],
)
def test_validate_image_file_accepts_allowed_formats(name, image_format, content_type):
    upload = _upload(name, _image_bytes(image_format), content_type)

    assert validate_image_file(upload) is None
    assert upload.tell() == 0


def test_validate_image_file_accepts_camera_jpeg_with_extra_pictures():
    # Cameras and phones store previews after the main picture; Pillow reads it as MPO.
    content = _image_bytes("MPO", save_all=True, append_images=[Image.new("RGB", (200, 150))])
    assert Image.open(io.BytesIO(content)).format == "MPO"

    assert validate_image_file(_upload("camera.jpg", content)) is None


def test_validate_image_file_accepts_smallest_and_largest_allowed(settings):
    settings.IMAGE_UPLOAD_MIN_SIDE = 100
    settings.IMAGE_UPLOAD_MAX_PIXELS = 100 * 250

    assert validate_image_file(_upload("a.png", _image_bytes("PNG", size=(100, 100)))) is None
    assert validate_image_file(_upload("b.png", _image_bytes("PNG", size=(100, 250)))) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"Just some text, not a picture at all.\n" * 20),
        ("photo.jpg", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"),
        ("photo.jpg", b""),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">'
            b'<rect width="200" height="200" fill="red"/></svg>',
        ),
    ],
    ids=["text", "pdf", "empty", "svg"],
)
def test_validate_image_file_rejects_files_that_are_not_images(name, content):
    upload = _upload(name, content)

    assert _rejection(upload) == ("invalid_image", [NOT_AN_IMAGE])
    assert upload.tell() == 0


@pytest.mark.parametrize(
    "content",
    [
        _noise_jpeg()[: len(_noise_jpeg()) * 6 // 10],
        _noise_jpeg()[:200],
        _image_bytes("PNG", size=(300, 300))[:-30],
    ],
    ids=["jpeg-scan-cut", "jpeg-header-cut", "png-cut"],
)
def test_validate_image_file_rejects_truncated_images(content):
    assert _rejection(_upload("photo.jpg", content)) == ("invalid_image", [NOT_AN_IMAGE])


@pytest.mark.parametrize(
    ("image_format", "shown_as"),
    [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")],
)
def test_validate_image_file_rejects_other_formats_by_content(image_format, shown_as):
    # Name and content type claim JPEG; only the content counts.
    upload = _upload("photo.jpg", _image_bytes(image_format), "image/jpeg")

    assert _rejection(upload) == (
        "invalid_image_format",
        [f"Only JPEG, PNG and WebP images are allowed; this file is {shown_as}."],
    )


def test_validate_image_file_reads_allowed_formats_from_settings(settings):
    settings.IMAGE_UPLOAD_FORMATS = {"PNG", "WEBP"}

    assert _rejection(_upload("photo.jpg", _image_bytes("JPEG"))) == (
        "invalid_image_format",
        ["Only PNG and WebP images are allowed; this file is JPEG."],
    )


def test_validate_image_file_rejects_file_over_byte_limit(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024
    image = _image_bytes("JPEG", size=(120, 120))
    assert len(image) < 3072
    content = image + b"\0" * (3072 - len(image))

    assert _rejection(_upload("photo.jpg", content)) == (
        "file_too_large",
        ["The image is 3.0\xa0KB; the largest allowed is 1.0\xa0KB."],
    )


def test_validate_image_file_rejects_default_byte_limit_before_reading():
    # 8 MiB + 1 byte of text: the size is refused before the content is looked at.
    upload = _upload("photo.jpg", b"x" * (8 * 1024 * 1024 + 1))

    assert _rejection(upload) == (
        "file_too_large",
        ["The image is 8.0\xa0MB; the largest allowed is 8.0\xa0MB."],
    )
    assert upload.tell() == 0


def test_validate_image_file_rejects_image_over_pixel_limit(settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 10_000

    assert _rejection(_upload("photo.png", _image_bytes("PNG", size=(1200, 100)))) == (
        "image_too_many_pixels",
        [
            "The image is 1,200 × 100 pixels, 120,000 in total; "
            "the largest allowed is 10,000 pixels."
        ],
    )


@pytest.mark.parametrize("pillow_limit", [150 * 150, 60 * 60], ids=["warning", "error"])
def test_validate_image_file_rejects_decompression_bombs(monkeypatch, pillow_limit):
    # Pillow warns above its limit and refuses above twice its limit; both are refusals.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)
    upload = _upload("bomb.png", _image_bytes("PNG", size=(200, 200)))

    assert _rejection(upload) == (
        "image_too_many_pixels",
        ["The image has too many pixels; the largest allowed is 40,000,000 pixels."],
    )
    assert upload.tell() == 0


@pytest.mark.parametrize("size", [(99, 300), (300, 99), (20, 20)])
def test_validate_image_file_rejects_too_small_image(size):
    upload = _upload("logo.png", _image_bytes("PNG", size=size))

    assert _rejection(upload) == (
        "image_too_small",
        [f"The image is {size[0]} × {size[1]} pixels; each side must be at least 100 pixels."],
    )


def test_validate_image_file_reads_minimum_side_from_settings(settings):
    settings.IMAGE_UPLOAD_MIN_SIDE = 400

    assert _rejection(_upload("a.png", _image_bytes("PNG", size=(500, 300)))) == (
        "image_too_small",
        ["The image is 500 × 300 pixels; each side must be at least 400 pixels."],
    )


def test_validate_image_file_leaves_position_at_start():
    upload = _upload("photo.jpg", _image_bytes("JPEG"))
    upload.read(10)

    validate_image_file(upload)

    assert upload.tell() == 0
    assert upload.read() == _image_bytes("JPEG")


def _jpeg_with_metadata():
    """300×200 stored, left half red and right half blue, shown turned by EXIF
    (Orientation 6: rotate 90° clockwise), with camera, GPS, XMP and comment data."""
    image = Image.new("RGB", (300, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 150, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 58.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (23.0, 43.0, 10.0)
    buffer = io.BytesIO()
    image.save(
        buffer,
        format="JPEG",
        quality=95,
        exif=exif,
        comment=b"secret comment",
        xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>",
    )
    return buffer.getvalue()


def test_clean_image_file_removes_metadata_and_applies_orientation():
    original = _jpeg_with_metadata()
    source = Image.open(io.BytesIO(original))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert {"exif", "xmp", "comment"} <= source.info.keys()

    cleaned = clean_image_file(_upload("photo.jpg", original))

    data = cleaned.read()
    for secret in (b"Exif\0\0", b"SecretCam", b"secret comment", b"secret xmp", b"xmpmeta"):
        assert secret not in data
    image = _open(cleaned)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert {"exif", "xmp", "comment"}.isdisjoint(image.info)
    # The turn is now in the pixels: the stored left (red) half is on top.
    assert image.size == (200, 300)
    assert _near(image.getpixel((100, 60)), (255, 0, 0))
    assert _near(image.getpixel((100, 240)), (0, 0, 255))


def test_clean_image_file_saves_progressive_rgb_jpeg():
    cmyk = _image_bytes("JPEG", mode="CMYK", color=(0, 255, 255, 0))

    cleaned = clean_image_file(_upload("print.jpg", cmyk))

    image = _open(cleaned)
    assert cleaned.name == "print.jpg"
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (200, 150))
    assert image.info["progressive"] == 1
    assert _near(image.getpixel((100, 75)), (255, 0, 0))


def test_clean_image_file_keeps_only_main_picture_of_camera_jpeg():
    content = _image_bytes(
        "MPO", color="red", save_all=True, append_images=[Image.new("RGB", (200, 150), "blue")]
    )

    cleaned = clean_image_file(_upload("camera.jpg", content))

    image = _open(cleaned)
    assert (cleaned.name, image.format, getattr(image, "n_frames", 1)) == ("camera.jpg", "JPEG", 1)
    assert _near(image.getpixel((100, 75)), (255, 0, 0))


def test_clean_image_file_keeps_png_transparency():
    image = Image.new("RGBA", (200, 150), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 150))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")

    cleaned = _open(clean_image_file(_upload("logo.png", buffer.getvalue(), "image/png")))

    assert (cleaned.format, cleaned.mode) == ("PNG", "RGBA")
    assert cleaned.getpixel((50, 75)) == (0, 0, 0, 0)
    assert cleaned.getpixel((150, 75)) == (0, 128, 0, 255)


def test_clean_image_file_keeps_palette_png_transparency():
    image = Image.new("P", (200, 150), 1)
    image.putpalette([255, 255, 255, 200, 0, 0])
    image.paste(0, (0, 0, 100, 150))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)

    cleaned = _open(clean_image_file(_upload("logo.png", buffer.getvalue(), "image/png")))

    rgba = cleaned.convert("RGBA")
    assert rgba.getpixel((50, 75))[3] == 0
    assert rgba.getpixel((150, 75)) == (200, 0, 0, 255)


def test_clean_image_file_removes_png_text_and_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret comment")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret xmp</x:xmpmeta>")
    content = _image_bytes("PNG", pnginfo=text, exif=exif)
    assert b"SecretCam" in content

    cleaned = clean_image_file(_upload("logo.png", content, "image/png"))

    data = cleaned.read()
    for secret in (b"SecretCam", b"secret", b"eXIf", b"tEXt", b"iTXt"):
        assert secret not in data
    assert _open(cleaned).info == {}


def test_clean_image_file_reencodes_webp():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    content = _image_bytes("WEBP", mode="RGBA", color=(10, 20, 30, 0), exif=exif, lossless=True)

    cleaned = clean_image_file(_upload("Κάλυμμα.webp", content, "image/webp"))

    image = _open(cleaned)
    assert cleaned.name == "kalymma.webp"
    assert (image.format, image.mode, image.size) == ("WEBP", "RGBA", (200, 150))
    assert image.getpixel((100, 75))[3] == 0
    assert b"SecretCam" not in cleaned.read()


@pytest.mark.parametrize(
    ("client_name", "image_format", "safe_name"),
    [
        ("Μέλι Θυμαρίσιο.PNG", "JPEG", "meli-thymarisio.jpg"),
        ("../../etc/passwd.png", "PNG", "passwd.png"),
        ("..\\..\\windows\\system.ini", "PNG", "system.png"),
        ("C:\\fakepath\\Φωτό εξωφύλλου.jpeg", "WEBP", "foto-exofyllou.webp"),
        ("cover.final.v2.gif", "PNG", "cover-final-v2.png"),
        ("photo.php.jpg", "JPEG", "photo-php.jpg"),
        ("....jpg", "JPEG", "image.jpg"),
        ("!!!", "PNG", "image.png"),
        (".htaccess", "PNG", "image.png"),
        ("a" * 300 + ".jpg", "JPEG", "a" * 80 + ".jpg"),
    ],
)
def test_clean_image_file_names_file_safely(client_name, image_format, safe_name):
    upload = _upload(client_name, _image_bytes(image_format))

    assert clean_image_file(upload).name == safe_name


def test_clean_image_file_rejects_invalid_file():
    with override("en"):
        with pytest.raises(ValidationError) as caught:
            clean_image_file(_upload("photo.jpg", b"not a picture"))

        assert caught.value.messages == [NOT_AN_IMAGE]


def test_clean_image_file_leaves_upload_at_start():
    upload = _upload("photo.jpg", _image_bytes("JPEG"))

    clean_image_file(upload)

    assert upload.tell() == 0
