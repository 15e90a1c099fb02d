"""What every API endpoint shares: pagination and the one JSON shape of errors.

Every error answers `{"error": {"status": 400, "code": "invalid", "message": "...",
"details": {...}}}`; `details` is present when a field-by-field account helps the caller.

Services refuse with Django's ValidationError, whose code comes from their app's `errors.py`;
the exception handler below turns it into that shape, so API views call services without try
blocks of their own. `portal.rest_schema` documents that shape once for every operation. A
database that is away answers 503 `unavailable` with Retry-After, on every endpoint.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.status import HTTP_400_BAD_REQUEST, HTTP_429_TOO_MANY_REQUESTS
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import PortalError
from portal.limits import LimitReached
from portal.storable import printable_name

logger = logging.getLogger(__name__)

# What the database raises when it cannot be reached or has gone away mid-request (a restart, a
# failover, a full connection pool): worth trying again soon. Other database errors (a broken
# constraint, bad SQL) are faults that would fail again, and stay server errors.
DATABASE_AWAY = (OperationalError, InterfaceError)


class DatabaseAway(exceptions.APIException):
    """The database is away for a moment: 503, with Retry-After of DATABASE_RETRY_AFTER."""

    status_code = 503
    default_code = PortalError.UNAVAILABLE

    def __init__(self) -> None:
        super().__init__(
            detail=_("The service is unavailable for a moment; try again in a few seconds.")
        )
        # DRF's handler turns `wait` into the Retry-After header.
        self.wait = settings.DATABASE_RETRY_AFTER


class LimitRefusal(exceptions.APIException):
    """A limit of a service was reached: 429, with Retry-After from `wait`."""

    status_code = HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"

    def __init__(self, limit: LimitReached) -> None:
        super().__init__(detail=" ".join(limit.messages), code=limit.code)
        # DRF's handler turns `wait` into the Retry-After header.
        self.wait = limit.retry_after


class RuleBroken(exceptions.APIException):
    """A rule of a service kept the caller out; the message says which, the code names it."""

    status_code: int = HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, *, detail: str, code: str, status: int = HTTP_400_BAD_REQUEST) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status


# The status of a service's refusal, by its code, where the request itself was sound: 409 when
# the state of something refuses it (a pilot that no longer recruits, an application already
# decided), 403 when the caller may not (a resident whom the pilot's rules leave out), 404 when
# something it names is not there. Codes not listed answer 400. Each app lists its own in its
# `errors.py` and registers them when it is ready, since this module sits below every app.
_REFUSAL_STATUSES: dict[str, int] = {}


def refusal_statuses_register(statuses: Mapping[str, int]) -> None:
    """Answer each of these service error codes with its status rather than 400."""
    for code, status in statuses.items():
        known = _REFUSAL_STATUSES.setdefault(str(code), status)
        if known != status:
            # Codes are plain strings on the wire: two apps' codes of one value are one code.
            raise ImproperlyConfigured(
                f"The error code {code!r} answers {known} already; it cannot answer {status}."
            )


def refusal_status(code: str) -> int:
    """The status that answers a service's refusal with this code."""
    return _REFUSAL_STATUSES.get(code, HTTP_400_BAD_REQUEST)


def _from_service(error: DjangoValidationError) -> exceptions.APIException:
    """The API's exception for a service's refusal.

    Errors about named fields (a survey's answers, say) keep their messages field by field in
    `details`; a single broken rule keeps its code, so that callers can tell the rules apart, and
    answers the status registered for it.
    """
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    # An error made of a list of messages has no code of its own.
    code = str(getattr(error, "code", None) or RuleBroken.default_code)
    return RuleBroken(detail=" ".join(error.messages), code=code, status=refusal_status(code))


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_DIGITS = re.compile(r"[0-9]+")


class StrictPageSize:
    """`page_size` from 1 to `max_page_size`; anything else answers 400 naming the parameter.

    DRF would quietly fall back to the default size, or cut a larger one down, which hides a
    caller's mistake and makes the schema's limits untrue.
    """

    page_size: int | None
    page_size_query_param: str | None
    max_page_size: int | None

    def get_page_size(self, request: Request) -> int | None:
        name = self.page_size_query_param
        if not name or name not in request.query_params:
            return self.page_size
        raw = request.query_params[name]
        size = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else 0
        if not 1 <= size <= (self.max_page_size or size):
            raise exceptions.ValidationError(
                {
                    name: [
                        _("A whole number from 1 to %(maximum)d.")
                        % {"maximum": self.max_page_size or 1}
                    ]
                }
            )
        return size

    def get_page_number(self, request: Request, paginator: Any) -> int | str:
        # DRF takes an empty `?page=` for the first page; the schema says a page is a number.
        raw = request.query_params.get("page")
        if raw is not None and not _DIGITS.fullmatch(raw):
            raise exceptions.ValidationError({"page": [_("A page number, from 1.")]})
        number: int | str = super().get_page_number(request, paginator)  # type: ignore[misc]
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
            elif parameter["name"] == "page":
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = _("A page number; past the last page answers 404.")
        return parameters


class PageNumberPagination(StrictPageSize, pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(StrictPageSize, pagination.CursorPagination):
    """Pages of long series by an opaque cursor; a cursor not given by the API answers 404."""

    page_size_query_param = "page_size"


def query_parameters(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    """A view's query parameters, validated by the serializer that documents them.

    The query is read as plain values, not as an HTML form: DRF would take an empty value of an
    optional field (`?phase=`) for an absent one, so that a value the schema refuses passed
    unnoticed. Here it is validated like any other.
    """
    parameters = serializer_class(data=request.query_params.dict(), context={TEXT_VALUES: True})
    parameters.is_valid(raise_exception=True)
    validated: dict[str, Any] = parameters.validated_data
    return validated


# The context key that tells a serializer its data came as text (a query), where a boolean is
# a word; forms say it themselves (DRF sees a QueryDict).
TEXT_VALUES = "text_values"


class BooleanField(serializers.BooleanField):
    """`true` or `false`, as the schema says: JSON's own in a JSON body, the word in a query or
    a form (the way OpenAPI writes a boolean there).

    DRF would also take 1, "yes", "on" and the like, which the schema does not offer, so that
    a caller's mistake passed unnoticed.
    """

    WORDS = {"true": True, "false": False}

    def get_value(self, dictionary: Any) -> Any:
        value = super().get_value(dictionary)
        as_text = html.is_html_input(dictionary) or self.context.get(TEXT_VALUES, False)
        if as_text and isinstance(value, str):
            return self.WORDS.get(value, value)
        return value

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


# Django reads a form's CSRF token from this field itself; it is no field of the request's.
_CSRF_FORM_FIELD = "csrfmiddlewaretoken"


class InputSerializer(serializers.Serializer[dict[str, Any]]):
    """The fields of a request's body, and no others: an unknown field answers 400 naming it."""

    # Refused rather than ignored, so that a misspelt name does not pass for a field left out.
    # The schema says so with `additionalProperties: false` (portal.rest_schema); the docstring
    # above is what the schema shows of the bodies that give none of their own.

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            known = {field.field_name for field in self._writable_fields}
            if html.is_html_input(data):
                known.add(_CSRF_FORM_FIELD)
            unknown = [name for name in data if name not in known]
            if unknown:
                raise serializers.ValidationError(
                    {
                        printable_name(str(name)): [_("This operation has no such field.")]
                        for name in unknown
                    }
                )
        validated: dict[str, Any] = super().to_internal_value(data)
        return validated


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        field, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if field in {"non_field_errors", "detail"} else f"{field}: {message}"
    return str(detail)


def error_body(*, status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, LimitReached):
        exc = LimitRefusal(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = _from_service(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_AWAY):
        # Answered, so no longer logged as a server error; the log still says what happened.
        logger.warning("The database is away: %s", exc)
        exc = DatabaseAway()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    detail = exc.detail
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    details = detail if isinstance(detail, dict | list) else None
    response.data = error_body(
        status=response.status_code, code=str(code), message=_first_message(detail), details=details
    )
    return response
