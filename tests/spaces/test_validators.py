from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.spaces.errors import SpacesError
from portal.spaces.validators import validate_pdf, validate_registration_number
from tests.spaces.factories import pdf_upload


@pytest.mark.parametrize("number", ["124-81-00998", "1248100998", "220 81 62517"])
def test_it_accepts_a_registration_number_whose_check_digit_matches(number: str) -> None:
    validate_registration_number(number)


def test_it_refuses_a_registration_number_with_a_wrong_check_digit() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_registration_number("124-81-00999")
    assert caught.value.code == SpacesError.REGISTRATION_NUMBER_CHECK_DIGIT


# The last is 1248100998 in Arabic-Indic digits, which a regex's `\d` would have let through.
@pytest.mark.parametrize(
    "number",
    [
        "12481009",
        "12a8100998",
        "12481009981",
        "\u0661\u0662\u0664\u0668\u0661\u0660\u0660\u0669\u0669\u0668",
    ],
)
def test_it_refuses_a_registration_number_that_is_not_ten_digits(number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_registration_number(number)
    assert caught.value.code == SpacesError.REGISTRATION_NUMBER_FORMAT


def test_it_accepts_a_real_pdf() -> None:
    validate_pdf(pdf_upload())


def test_it_refuses_a_file_that_only_calls_itself_a_pdf() -> None:
    fake = SimpleUploadedFile("pitch.pdf", b"%PDF-1.7\nnot really", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        validate_pdf(fake)
    assert caught.value.code == SpacesError.ATTACHMENT_NOT_PDF


def test_it_refuses_an_image_renamed_to_pdf() -> None:
    png = SimpleUploadedFile("pitch.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with pytest.raises(ValidationError) as caught:
        validate_pdf(png)
    assert caught.value.code == SpacesError.ATTACHMENT_NOT_PDF


def test_it_refuses_a_pdf_over_ten_megabytes() -> None:
    upload = pdf_upload()
    upload.size = 10 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as caught:
        validate_pdf(upload)
    assert caught.value.code == SpacesError.ATTACHMENT_TOO_LARGE
