"""Photos of reports: only real images, stored without metadata, with display-sized copies.

An upload is judged by decoding it with Pillow, never by its name or declared content type. The
stored files are re-encoded from the pixels alone, so EXIF (camera, time, GPS position) and every
other metadata block are left behind.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.reports.errors import ReportError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3
# Longest side of each stored size, in pixels.
FULL_SIZE = 2048
DISPLAY_SIZE = 1024
THUMBNAIL_SIZE = 320
# Refuse images that would take more memory to decode than any phone photo needs.
MAX_PIXELS = 60_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# The same formats as media types, as the API's schema lists them (MPO is a camera's JPEG).
PHOTO_MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


@dataclass(frozen=True)
class CleanPhoto:
    """A checked photo, re-encoded as JPEG in three sizes."""

    image: ContentFile[bytes]
    display: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    width: int
    height: int


def _jpeg(image: Image.Image, longest: int, name: str) -> ContentFile[bytes]:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No `exif=` or `icc_profile=`: the saved file carries pixels only.
    copy.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)


def photo_clean(data: bytes) -> CleanPhoto:
    """Decode `data` as an image and return it stripped and resized; ValidationError if not one."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(_("A photo may be at most 10 MB."), code=ReportError.PHOTO_TOO_BIG)
    not_image = ValidationError(
        _("This file is not a photo we can read (JPEG, PNG, WebP or GIF)."),
        code=ReportError.PHOTO_NOT_IMAGE,
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise not_image
            if probe.width * probe.height > MAX_PIXELS:
                raise not_image
            probe.verify()
        # verify() leaves the image unusable; open it again to decode every pixel.
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            # Phones store the camera's rotation in EXIF; apply it before EXIF goes.
            upright = ImageOps.exif_transpose(source).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_image from None
    stem = uuid.uuid4().hex
    return CleanPhoto(
        image=_jpeg(upright, FULL_SIZE, f"{stem}.jpg"),
        display=_jpeg(upright, DISPLAY_SIZE, f"{stem}-display.jpg"),
        thumbnail=_jpeg(upright, THUMBNAIL_SIZE, f"{stem}-thumb.jpg"),
        width=upright.width,
        height=upright.height,
    )
