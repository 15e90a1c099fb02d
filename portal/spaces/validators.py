"""Checks of what startups type and upload: registration numbers and PDF attachments."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from portal.spaces.errors import SpacesError

# The weights of the first nine digits of a Korean business registration number (사업자등록번호).
_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def registration_number_normalise(value: str) -> str:
    """The number's ten digits, without the dashes and spaces people type between them."""
    return re.sub(r"[\s-]", "", value)


def registration_number_check_digit(first_nine: str) -> int:
    """The tenth digit the National Tax Service's algorithm gives for the first nine."""
    digits = [int(digit) for digit in first_nine]
    total = sum(digit * weight for digit, weight in zip(digits, _WEIGHTS, strict=True))
    # The ninth digit counts a second time through the tens of its product with five.
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def validate_registration_number(value: str) -> None:
    number = registration_number_normalise(value)
    # ASCII digits only: `\d` would take other scripts' digits, which int() reads all the same.
    if not re.fullmatch(r"[0-9]{10}", number):
        raise ValidationError(
            _("A business registration number has ten digits, as in 123-45-67890."),
            code=SpacesError.REGISTRATION_NUMBER_FORMAT,
        )
    if registration_number_check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            _("This business registration number is not valid: its last digit does not match."),
            code=SpacesError.REGISTRATION_NUMBER_CHECK_DIGIT,
        )


def validate_pdf(upload: UploadedFile[Any]) -> None:
    """Refuse anything over 10 MB or that a PDF parser cannot read page by page.

    The name and the browser's content type are chosen by the sender, so the file itself is read.
    """
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("Attachments may be at most 10 MB."), code=SpacesError.ATTACHMENT_TOO_LARGE
        )
    upload.seek(0)
    try:
        if upload.read(5) != b"%PDF-":
            raise PdfReadError("no PDF header")
        upload.seek(0)
        reader = PdfReader(upload, strict=False)
        if len(reader.pages) < 1:
            raise PdfReadError("no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationError(
            _("Attachments must be PDF documents; this file could not be read as one."),
            code=SpacesError.ATTACHMENT_NOT_PDF,
        ) from error
    finally:
        upload.seek(0)
