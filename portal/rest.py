"""What every API endpoint shares: pagination and the one JSON shape of errors.

Every error answers `{"error": {"status": 400, "code": "invalid", "message": "...",
"details": {...}}}`; `details` is present when a field-by-field account helps the caller.

Services refuse with Django's ValidationError, whose code comes from their app's `errors.py`;
the exception handler below turns it into that shape, so API views call services without try
blocks of their own. `portal.rest_schema` documents that shape once for every operation.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.status import HTTP_400_BAD_REQUEST
from rest_framework.views import exception_handler as drf_exception_handler


class RuleBroken(exceptions.APIException):
    """A rule of a service kept the caller out; the message says which, the code names it."""

    status_code = HTTP_400_BAD_REQUEST
    default_code = "invalid"


def _from_service(error: DjangoValidationError) -> exceptions.APIException:
    """The API's exception for a service's refusal.

    Errors about named fields (a survey's answers, say) keep their messages field by field in
    `details`; a single broken rule keeps its code, so that callers can tell the rules apart.
    """
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    # An error made of a list of messages has no code of its own.
    code = getattr(error, "code", None) or RuleBroken.default_code
    return RuleBroken(detail=" ".join(error.messages), code=code)


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
    parameters = serializer_class(data=request.query_params.dict())
    parameters.is_valid(raise_exception=True)
    validated: dict[str, Any] = parameters.validated_data
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
    if isinstance(exc, DjangoValidationError):
        exc = _from_service(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
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
