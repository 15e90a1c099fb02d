"""What every API endpoint shares: pagination and the one JSON shape of errors.

Every error answers `{"error": {"status": 400, "code": "invalid", "message": "...",
"details": {...}}}`; `details` is present when a field-by-field account helps the caller.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


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
    if isinstance(exc, Http404):
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
