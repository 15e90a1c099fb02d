"""Requests refused before any view sees them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from portal.error_views import API_PREFIX
from portal.rest import DATABASE_AWAY, DatabaseAway, error_body
from portal.storable import CODE, MESSAGE, find_unstorable, is_unstorable, printable_name

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _unstorable_field(request: HttpRequest) -> str | None:
    """Where the request's path, query or form holds text the database cannot store."""
    if is_unstorable(request.path_info):
        return "path"
    field = find_unstorable(request.GET)
    # The API's bodies, forms included, are checked as DRF parses them (portal.rest_parsing);
    # reading them here would leave nothing for the views that read the raw body.
    if field is not None or request.path_info.startswith(API_PREFIX):
        return field
    if request.method == "POST" and request.content_type in FORM_TYPES:
        field = find_unstorable(request.POST)
        for name, files in request.FILES.lists():
            if field is None and find_unstorable([name, *(file.name or "" for file in files)]):
                field = name
    return field


def refusal(request: HttpRequest, field: str) -> HttpResponse:
    """400 naming the field: in the API's error shape under /api/, else the site's own page."""
    name = printable_name(field)
    if request.path_info.startswith(API_PREFIX):
        message = str(MESSAGE)
        body = error_body(
            status=400, code=CODE, message=f"{name}: {message}", details={name: [message]}
        )
        return JsonResponse(body, status=400)
    return render(request, "400.html", {"field": name}, status=400)


class UnstorableTextMiddleware:
    """Refuses text the database cannot store in a path, a query or a form, naming the field.

    One place for every page and endpoint, rather than a check in each view: what gets past here
    is text PostgreSQL takes, or an API body that the API's parsing checks (`portal.storable`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _unstorable_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)


class DatabaseAwayMiddleware:
    """Answers 503 with Retry-After when a view finds the database away, rather than a 500.

    The API's DRF views answer so through `portal.rest`; this covers the pages and the rest. The
    page is rendered without the request, as the 500 page is: its context (the user, the
    session) would ask the database again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_AWAY):
            return None
        logger.warning("The database is away: %s", exception)
        if request.path_info.startswith(API_PREFIX):
            away = DatabaseAway()
            response: HttpResponse = JsonResponse(
                error_body(status=503, code=away.default_code, message=str(away.detail)),
                status=503,
            )
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
        return response
