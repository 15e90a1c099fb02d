"""A service's refusal, Django's ValidationError, reaches API callers in the one error shape."""

from __future__ import annotations

import enum
import json

from django.core.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal.rest import exception_handler


class ExampleError(enum.StrEnum):
    """Codes as an app's `errors.py` declares them."""

    CALL_CLOSED = "call_closed"


def _answer(error: Exception) -> tuple[int, object]:
    response = exception_handler(error, {})
    assert isinstance(response, Response)
    # Rendered as the API sends it, so enum members must have become plain strings.
    return response.status_code, json.loads(JSONRenderer().render(response.data))


def test_a_broken_rule_answers_400_with_its_code_and_message() -> None:
    error = ValidationError("The call is closed.", code=ExampleError.CALL_CLOSED)

    assert _answer(error) == (
        400,
        {"error": {"status": 400, "code": "call_closed", "message": "The call is closed."}},
    )


def test_a_rule_with_parameters_answers_with_its_message_filled_in() -> None:
    error = ValidationError(
        "Choose a number from %(low)s to %(high)s.",
        code=ExampleError.CALL_CLOSED,
        params={"low": 1, "high": 5},
    )

    _status, body = _answer(error)
    assert body == {
        "error": {"status": 400, "code": "call_closed", "message": "Choose a number from 1 to 5."}
    }


def test_errors_about_fields_answer_400_with_each_fields_messages_in_details() -> None:
    error = ValidationError({"12": ["Please answer this question."], "13": ["Choose one."]})

    assert _answer(error) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": "12: Please answer this question.",
                "details": {"12": ["Please answer this question."], "13": ["Choose one."]},
            }
        },
    )


def test_several_messages_without_a_code_answer_as_one_message_with_the_generic_code() -> None:
    error = ValidationError(["The title is missing.", "The summary is missing."])

    assert _answer(error) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": "The title is missing. The summary is missing.",
            }
        },
    )
