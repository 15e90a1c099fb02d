"""Open311 answers in the specification's two formats: JSON and XML, UTF-8.

Every answer is a list (JSON array, or an XML root element holding one child per item) of flat
records; the few nested parts (attributes and their values, discovery's endpoints) are written
out explicitly so that each field keeps the specification's name and place.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def iso(value: datetime.datetime | None) -> str | None:
    """ISO 8601 with the zone, in the city's time: 2024-05-01T09:30:00+09:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element, name: str, value: Any) -> None:
    """Write `value` under `parent` as element `name`: lists repeat their item element."""
    child = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, list):
        item_name = LIST_ITEMS.get(name, "item")
        for item in value:
            _element(child, item_name, item)
    else:
        child.text = _text(value)


# The element each list's items get in XML, as the specification writes them.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def render(
    fmt: str, *, root: str, item: str, records: Sequence[Mapping[str, Any]], status: int = 200
) -> HttpResponse:
    """A list of records as the format asks: a JSON array, or `<root><item>…</item></root>`."""
    if fmt == "xml":
        tree = ET.Element(root)
        for record in records:
            node = ET.SubElement(tree, item)
            for key, value in record.items():
                _element(node, key, value)
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>'
            + ET.tostring(tree, encoding="unicode").encode()
        )
    else:
        body = json.dumps(list(records), ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_object(fmt: str, *, root: str, record: Mapping[str, Any]) -> HttpResponse:
    """One object (a service definition, the discovery document): JSON object or `<root>`."""
    if fmt == "xml":
        tree = ET.Element(root)
        for key, value in record.items():
            _element(tree, key, value)
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>'
            + ET.tostring(tree, encoding="unicode").encode()
        )
    else:
        body = json.dumps(dict(record), ensure_ascii=False).encode()
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's errors: a list of {code, description}, code being the HTTP status."""
    return render(
        fmt,
        root="errors",
        item="error",
        records=[{"code": status, "description": text} for text in descriptions],
        status=status,
    )
