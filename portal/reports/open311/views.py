"""Open311 GeoReport v2 endpoints. Thin: parse, call a selector or service, render.

Errors follow the specification: 404 for what does not exist, 403 for a missing, wrong or revoked
key, 400 for anything else wrong with the request; a method an endpoint does not take is a 405 in
the same shape.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from portal.reports import selectors, services
from portal.reports.errors import ReportError
from portal.reports.models import Category, Photo, Report
from portal.reports.open311.formats import iso, render, render_errors, render_object
from portal.reports.open311.params import (
    MAX_RESULTS,
    BadRequest,
    parse_attributes,
    parse_float,
    parse_request_query,
)

JURISDICTION = "seoul.go.kr"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2025-01-01T00:00:00+09:00"
AGENCY = "Seoul Living Lab"
# Service errors that name something absent rather than something malformed.
NOT_FOUND_CODES = {ReportError.CATEGORY_UNKNOWN}
# The longest e-mail address the report keeps (Report.contact_email).
MAX_EMAIL = 254

View = Callable[..., HttpResponse]


def _methods(*allowed: str) -> Callable[[View], View]:
    """Let the view answer only `allowed` methods; others get a 405 in the specification's shape.

    No Open311 call rests on the site's session, so none asks for a CSRF token: a partner app
    files with its api_key alone, and reading changes nothing.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = render_errors(fmt, 405, f"{request.method} is not allowed here")
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return csrf_exempt(checked)

    return decorate


def _wrong_jurisdiction(request: HttpRequest, fmt: str) -> HttpResponse | None:
    source = request.POST if request.method == "POST" else request.GET
    given = source.get("jurisdiction_id", "").strip()
    if given and given != JURISDICTION:
        return render_errors(fmt, 404, f"jurisdiction_id {given} not found")
    return None


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": category.has_attributes,  # type: ignore[attr-defined]
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@_methods("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the endpoint is and what it speaks."""
    base = settings.SITE_URL + reverse("open311:discovery", args=["json"]).rsplit("/", 1)[0]
    return render_object(
        fmt,
        root="discovery",
        record={
            "changeset": CHANGESET,
            "contact": settings.DEFAULT_FROM_EMAIL,
            "key_service": settings.SITE_URL + "/admin/reports/open311key/",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@_methods("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    wrong = _wrong_jurisdiction(request, fmt)
    if wrong:
        return wrong
    categories = selectors.open311_services()
    return render(fmt, root="services", item="service", records=[_service(c) for c in categories])


@_methods("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    wrong = _wrong_jurisdiction(request, fmt)
    if wrong:
        return wrong
    category = selectors.category_list().filter(code=code).first()
    if category is None:
        return render_errors(fmt, 404, f"service_code {code} not found")
    attributes = [
        {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description or None,
            "order": attribute.order,
            "description": attribute.description,
            "values": [
                {"key": value.get("key"), "name": value.get("name")}
                for value in attribute.values
                if isinstance(value, dict)
            ],
        }
        for attribute in category.attributes.all()
    ]
    return render_object(
        fmt,
        root="service_definition",
        record={"service_code": category.code, "attributes": attributes},
    )


def _absolute(url: str) -> str:
    """A storage URL as partners can follow it: file-system storage gives only a path."""
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _request_records(reports: list[Report]) -> list[dict[str, Any]]:
    photos, notes = selectors.open311_extras([report.pk for report in reports])
    storage = Photo._meta.get_field("display").storage
    records = []
    for report in reports:
        latitude, longitude = report.public_place()
        address, address_id = report.public_address()
        finer = report.status + (f" ({report.resolution})" if report.resolution else "")
        note = notes.get(report.pk)
        photo = photos.get(report.pk)
        media = _absolute(storage.url(photo)) if photo else report.media_url
        due = report.due_at or report.created_at + datetime.timedelta(
            days=report.category.target_days
        )
        records.append(
            {
                "service_request_id": str(report.pk),
                "status": "closed" if report.status == Report.Status.CLOSED else "open",
                "status_notes": f"{finer}: {note}" if note else finer,
                "service_name": report.category.name,
                "service_code": report.category.code,
                "description": report.description,
                "agency_responsible": AGENCY,
                "service_notice": "",
                "requested_datetime": iso(report.created_at),
                "updated_datetime": iso(report.updated_at),
                "expected_datetime": iso(due),
                "address": address,
                "address_id": address_id,
                "zipcode": "",
                "lat": latitude,
                "long": longitude,
                "media_url": media or "",
            }
        )
    return records


@_methods("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: reports filtered as the specification says. POST: file a report with an api_key."""
    wrong = _wrong_jurisdiction(request, fmt)
    if wrong:
        return wrong
    if request.method == "POST":
        return _request_create(request, fmt)
    try:
        query = parse_request_query(request.GET)
    except BadRequest as error:
        return render_errors(fmt, 400, str(error))
    unknown = set(query.service_codes) - set(
        Category.objects.filter(code__in=query.service_codes).values_list("code", flat=True)
    )
    if unknown:
        return render_errors(fmt, 404, f"service_code {','.join(sorted(unknown))} not found")
    reports = selectors.open311_requests(
        ids=query.ids,
        service_codes=query.service_codes,
        start=query.start,
        end=query.end,
        status=query.status,
        limit=MAX_RESULTS,
    )
    return render(
        fmt, root="service_requests", item="request", records=_request_records(list(reports))
    )


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    partner = services.open311_key_check(data.get("api_key", ""))
    if partner is None:
        return render_errors(fmt, 403, "api_key is missing, wrong or revoked")
    code = data.get("service_code", "").strip()
    if not code:
        return render_errors(fmt, 400, "service_code is required")
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        return render_errors(fmt, 404, f"service_code {code} not found")
    try:
        latitude = parse_float(data["lat"], "lat") if data.get("lat") else None
        longitude = parse_float(data["long"], "long") if data.get("long") else None
    except BadRequest as error:
        return render_errors(fmt, 400, str(error))
    description = data.get("description", "")
    if len(description) > 4000:
        return render_errors(fmt, 400, "description may be at most 4,000 characters")
    email = data.get("email", "").strip()
    if email:
        try:
            if len(email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            return render_errors(fmt, 400, "email is not an e-mail address")
    media_url = data.get("media_url", "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        return render_errors(fmt, 400, "media_url must be an http or https URL")
    try:
        report = services.report_create(
            reporter=None,
            category=category,
            description=description or category.name,
            latitude=latitude,
            longitude=longitude,
            address=data.get("address_string", ""),
            address_id=data.get("address_id", ""),
            source=Report.Source.OPEN311,
            partner=partner,
            contact={
                "email": email,
                "first_name": data.get("first_name", "")[:100],
                "last_name": data.get("last_name", "")[:100],
                "phone": data.get("phone", "")[:40],
            },
            media_url=media_url[:500],
            attributes=parse_attributes(data),
        )
    except ValidationError as error:
        status = 404 if error.code in NOT_FOUND_CODES else 400
        return render_errors(fmt, status, *[str(message) for message in error.messages])
    notice = _("We aim to resolve this within %(days)s days.") % {"days": category.target_days}
    return render(
        fmt,
        root="service_requests",
        item="request",
        records=[
            {
                "service_request_id": str(report.pk),
                "token": str(report.token),
                "service_notice": notice,
                "account_id": None,
            }
        ],
    )


@_methods("GET")
def request_detail(request: HttpRequest, request_id: int, fmt: str) -> HttpResponse:
    wrong = _wrong_jurisdiction(request, fmt)
    if wrong:
        return wrong
    reports = list(
        selectors.open311_requests(
            ids=[request_id], service_codes=[], start=None, end=None, status="", limit=1
        )
    )
    if not reports:
        return render_errors(fmt, 404, f"service_request_id {request_id} not found")
    return render(fmt, root="service_requests", item="request", records=_request_records(reports))


@_methods("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    wrong = _wrong_jurisdiction(request, fmt)
    if wrong:
        return wrong
    report = selectors.report_by_token(token)
    if report is None:
        return render_errors(fmt, 404, f"token {token} not found")
    return render(
        fmt,
        root="service_requests",
        item="request",
        records=[{"service_request_id": str(report.pk), "token": str(report.token)}],
    )


@csrf_exempt
def not_found(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    return render_errors(fmt, 404, "No such Open311 resource")
