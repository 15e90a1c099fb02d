"""A service's refusal, Django's ValidationError, reaches API callers in the one error shape;
request bodies take their own fields only, and booleans only as the schema writes them."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal import rest
from portal.rest import exception_handler


class ExampleError(enum.StrEnum):
    """Codes as an app's `errors.py` declares them."""

    SCORE_OUT_OF_RANGE = "score_out_of_range"
    # A state refusal, which the spaces app registers as a conflict.
    CALL_CLOSED = "call_closed"


def _answer(error: Exception) -> tuple[int, object]:
    response = exception_handler(error, {})
    assert isinstance(response, Response)
    # Rendered as the API sends it, so enum members must have become plain strings.
    return response.status_code, json.loads(JSONRenderer().render(response.data))


def test_a_broken_rule_answers_400_with_its_code_and_message() -> None:
    error = ValidationError("Scores go from 1 to 5.", code=ExampleError.SCORE_OUT_OF_RANGE)

    assert _answer(error) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "score_out_of_range",
                "message": "Scores go from 1 to 5.",
            }
        },
    )


def test_a_rule_with_parameters_answers_with_its_message_filled_in() -> None:
    error = ValidationError(
        "Choose a number from %(low)s to %(high)s.",
        code=ExampleError.SCORE_OUT_OF_RANGE,
        params={"low": 1, "high": 5},
    )

    _status, body = _answer(error)
    assert body == {
        "error": {
            "status": 400,
            "code": "score_out_of_range",
            "message": "Choose a number from 1 to 5.",
        }
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


def test_a_refusal_registered_as_a_conflict_answers_409_in_the_same_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rest, "_REFUSAL_STATUSES", {})
    rest.refusal_statuses_register({ExampleError.CALL_CLOSED: 409})
    error = ValidationError("The call is closed.", code=ExampleError.CALL_CLOSED)

    assert _answer(error) == (
        409,
        {"error": {"status": 409, "code": "call_closed", "message": "The call is closed."}},
    )


def test_one_code_cannot_answer_two_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "_REFUSAL_STATUSES", {})
    rest.refusal_statuses_register({"call_closed": 409})
    # Registering the same again is harmless; another status is a mistake, said at start-up.
    rest.refusal_statuses_register({"call_closed": 409})

    with pytest.raises(ImproperlyConfigured, match="call_closed"):
        rest.refusal_statuses_register({"call_closed": 403})


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("not_joinable", 409),
        ("consent_outdated", 409),
        ("not_enrolled", 409),
        ("cannot_withdraw", 409),
        ("not_eligible", 403),
        ("email_not_verified", 403),
        ("category_unknown", 404),
        # A rule about the request's own content stays a 400.
        ("consent_missing", 400),
    ],
)
def test_the_apps_give_their_refusals_a_status_when_they_are_ready(code: str, status: int) -> None:
    assert rest.refusal_status(code) == status


class _Withdrawal(rest.InputSerializer):
    delete_feedback = rest.BooleanField(default=False)


class _Filters(serializers.Serializer[dict[str, Any]]):
    free_only = rest.BooleanField(required=False)


def _form(**values: str) -> QueryDict:
    form = QueryDict(mutable=True)
    form.update(values)
    return form


def test_a_body_with_a_field_the_operation_does_not_take_is_refused_naming_it() -> None:
    body = _Withdrawal(data={"delete_feedback": True, "delete_feedbak": True})

    assert not body.is_valid()
    assert list(body.errors) == ["delete_feedbak"]


def test_a_forms_csrf_token_is_no_unknown_field_but_a_json_one_is() -> None:
    assert _Withdrawal(data=_form(csrfmiddlewaretoken="x", delete_feedback="true")).is_valid()
    assert not _Withdrawal(data={"csrfmiddlewaretoken": "x"}).is_valid()


@pytest.mark.parametrize(
    ("value", "valid"),
    [(True, True), (False, True), ("true", False), (0, False), (1, False), ("on", False)],
)
def test_a_json_boolean_is_true_or_false_and_nothing_like_them(value: object, valid: bool) -> None:
    assert _Withdrawal(data={"delete_feedback": value}).is_valid() is valid


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("false", False), ("0", None), ("True", None)]
)
def test_a_form_or_query_boolean_is_the_word_true_or_false(
    value: str, expected: bool | None
) -> None:
    form = _Withdrawal(data=_form(delete_feedback=value))
    query = _Filters(data={"free_only": value}, context={rest.TEXT_VALUES: True})

    for serializer, field in [(form, "delete_feedback"), (query, "free_only")]:
        assert serializer.is_valid() is (expected is not None)
        if expected is not None:
            assert serializer.validated_data[field] is expected
