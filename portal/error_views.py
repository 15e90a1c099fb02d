"""What Django answers when no view could: JSON in the API's error shape, or the site's own page.

Django calls these (handler400 to handler500 in `portal.urls`) when DEBUG is off: for an address
no URL matches, a request it refuses, or an exception no view handled. DRF views shape their own
errors through `portal.rest`; what reaches these under /api/ answers in that same shape, since the
callers of the API are programs that read JSON, not people who read pages.
"""

from __future__ import annotations

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


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            status=400,
            code=str(exceptions.ParseError.default_code),
            message=exceptions.ParseError.default_detail,
        )
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            status=403,
            code=str(exceptions.PermissionDenied.default_code),
            message=exceptions.PermissionDenied.default_detail,
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            status=404,
            code=str(exceptions.NotFound.default_code),
            message=exceptions.NotFound.default_detail,
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Says only that something failed: what failed is in the log, never in the answer.

    `internal_error` is the code MQTT devices get for the same kind of failure.
    """
    if _is_api(request):
        return _api_error(
            status=500, code="internal_error", message=exceptions.APIException.default_detail
        )
    return defaults.server_error(request)
