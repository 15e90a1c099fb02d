"""Reading Open311 request parameters: dates, ids, statuses, attributes, the location."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# The specification's default window, which is also the longest one may ask for.
MAX_WINDOW = datetime.timedelta(days=90)
MAX_RESULTS = 1_000
ATTRIBUTE_KEY = re.compile(r"^attribute\[([A-Za-z0-9_-]+)\](\[\])?$")


class BadRequest(Exception):
    """A parameter is missing or malformed: answered with status 400."""


@dataclass(frozen=True)
class RequestQuery:
    ids: list[int] | None
    # Empty for every service; the specification lets a client name several, comma-separated.
    service_codes: list[str]
    start: datetime.datetime | None
    end: datetime.datetime | None
    status: str


def parse_moment(text: str, name: str) -> datetime.datetime:
    """A W3C date-time (or date), aware; naive ones are taken in the city's time zone."""
    moment = parse_datetime(text.strip().replace(" ", "+"))
    if moment is None:
        day = parse_date(text.strip())
        if day is None:
            raise BadRequest(f"{name} is not a W3C date-time (e.g. 2024-05-01T09:00:00+09:00)")
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_request_query(query: Mapping[str, str]) -> RequestQuery:
    """The filters of GET requests; a window over 90 days or ending before it starts is refused."""
    raw_ids = query.get("service_request_id", "").strip()
    if raw_ids:
        try:
            ids = [int(part) for part in raw_ids.split(",") if part.strip()]
        except ValueError:
            raise BadRequest("service_request_id must be numbers separated by commas") from None
        # The specification: with ids given, every other filter is ignored.
        return RequestQuery(ids=ids, service_codes=[], start=None, end=None, status="")
    start_text, end_text = query.get("start_date", ""), query.get("end_date", "")
    start = parse_moment(start_text, "start_date") if start_text else None
    end = parse_moment(end_text, "end_date") if end_text else None
    if start is None and end is None:
        end = timezone.now()
        start = end - MAX_WINDOW
    elif start is None:
        assert end is not None  # noqa: S101 - one of the two is set.
        start = end - MAX_WINDOW
    elif end is None:
        end = start + MAX_WINDOW
    if end < start:
        raise BadRequest("end_date is before start_date")
    if end - start > MAX_WINDOW:
        raise BadRequest("The date range may be at most 90 days")
    statuses = {part.strip() for part in query.get("status", "").split(",") if part.strip()}
    if not statuses <= {"open", "closed"}:
        raise BadRequest("status must be open or closed")
    status = next(iter(statuses)) if len(statuses) == 1 else ""
    return RequestQuery(
        ids=None,
        service_codes=[
            code.strip() for code in query.get("service_code", "").split(",") if code.strip()
        ],
        start=start,
        end=end,
        status=status,
    )


def parse_attributes(data: QueryDict) -> dict[str, Any]:
    """`attribute[code]=value` and `attribute[code][]=a&attribute[code][]=b` as a dict."""
    answers: dict[str, Any] = {}
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            continue
        code, many = match.group(1), match.group(2)
        answers[code] = data.getlist(key) if many else data.get(key, "")
    return answers


def parse_float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
