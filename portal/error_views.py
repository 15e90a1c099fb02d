"""What Django answers when no view could: JSON in the API's error shape, or the site's own page.

Django calls these (handler400 to handler500 in `portal.urls`) when DEBUG is off: for an address
no URL matches, a request it refuses, or an exception no view handled. DRF views shape their own
errors through `portal.rest`; what reaches these under /api/ answers in that same shape, since the
callers of the API are programs that read JSON, not people who read pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions

from portal.rest import error_body

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(*, status: int, code: str, message: object) -> JsonResponse:
    # DRF's default messages are lazy translations: str() gives them in the request's language.
    return JsonResponse(error_body(status=status, code=code, message=str(message)), status=status)


def _api_or_page(
    refusal: type[exceptions.APIException], page: Callable[[HttpRequest, Exception], HttpResponse]
) -> Callable[[HttpRequest, Exception], HttpResponse]:
    """A handler that answers under /api/ with `refusal`'s status, code and message."""

    def handler(request: HttpRequest, exception: Exception) -> HttpResponse:
        if _is_api(request):
            return _api_error(
                status=refusal.status_code,
                code=str(refusal.default_code),
                message=refusal.default_detail,
            )
        return page(request, exception)

    return handler


bad_request = _api_or_page(exceptions.ParseError, defaults.bad_request)
permission_denied = _api_or_page(exceptions.PermissionDenied, defaults.permission_denied)
page_not_found = _api_or_page(exceptions.NotFound, defaults.page_not_found)


def server_error(request: HttpRequest) -> HttpResponse:
    """Says only that something failed: what failed is in the log, never in the answer.

    `internal_error` is the code MQTT devices get for the same kind of failure.
    """
    if _is_api(request):
        return _api_error(
            status=500, code="internal_error", message=exceptions.APIException.default_detail
        )
    return defaults.server_error(request)
