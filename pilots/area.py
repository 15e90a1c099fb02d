"""The area of a pilot: a GeoJSON polygon drawn in the admin, checked before it is stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pilots.errors import PilotErrorCode

# Seoul's extent in WGS84 with a small margin: west, south, east, north.
SEOUL_BOUNDS = (126.76, 37.41, 127.19, 37.72)
MAX_VERTICES = 5000


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(part, int | float) and not isinstance(part, bool) for part in value)
    )


def _check_ring(ring: Any, where: str) -> int:
    if not isinstance(ring, list) or not all(_is_position(point) for point in ring):
        raise ValidationError(
            _("%(where)s is not a list of [longitude, latitude] points.") % {"where": where},
            code=PilotErrorCode.AREA_INVALID,
        )
    if len(ring) < 4:
        raise ValidationError(
            _("%(where)s needs at least three corners.") % {"where": where},
            code=PilotErrorCode.AREA_INVALID,
        )
    if ring[0][:2] != ring[-1][:2]:
        raise ValidationError(
            _("%(where)s is not closed: its last point must repeat its first.") % {"where": where},
            code=PilotErrorCode.AREA_NOT_CLOSED,
        )
    west, south, east, north = SEOUL_BOUNDS
    for longitude, latitude, *_rest in ring:
        if not (west <= longitude <= east and south <= latitude <= north):
            raise ValidationError(
                _(
                    "The point (%(latitude).5f, %(longitude).5f) lies outside Seoul; "
                    "draw the area within the city."
                )
                % {"latitude": latitude, "longitude": longitude},
                code=PilotErrorCode.AREA_OUTSIDE_SEOUL,
            )
    return len(ring)


def validate_pilot_area(value: Any) -> None:
    """Accept an empty value, or a GeoJSON Polygon or MultiPolygon geometry inside Seoul.

    A Feature or a FeatureCollection with one feature is refused with a hint, so that what is
    stored is always a bare geometry.
    """
    if value in (None, {}, ""):
        return
    if not isinstance(value, dict):
        raise ValidationError(
            _("The area must be a GeoJSON object."), code=PilotErrorCode.AREA_INVALID
        )
    kind = value.get("type")
    if kind in ("Feature", "FeatureCollection"):
        raise ValidationError(
            _("Store the area as a Polygon or MultiPolygon geometry, not a %(kind)s.")
            % {"kind": kind},
            code=PilotErrorCode.AREA_INVALID,
        )
    coordinates = value.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(
                _("A MultiPolygon needs at least one polygon."), code=PilotErrorCode.AREA_INVALID
            )
        polygons = coordinates
    else:
        raise ValidationError(
            _("The area must be a Polygon or MultiPolygon; got %(kind)s.") % {"kind": kind},
            code=PilotErrorCode.AREA_INVALID,
        )
    vertices = 0
    for number, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            raise ValidationError(
                _("Polygon %(number)s has no rings.") % {"number": number},
                code=PilotErrorCode.AREA_INVALID,
            )
        for ring_number, ring in enumerate(rings, start=1):
            where = _("Ring %(ring)s of polygon %(number)s") % {
                "ring": ring_number,
                "number": number,
            }
            vertices += _check_ring(ring, where)
    if vertices > MAX_VERTICES:
        raise ValidationError(
            _("The area has %(count)s points; simplify it to at most %(limit)s.")
            % {"count": vertices, "limit": MAX_VERTICES},
            code=PilotErrorCode.AREA_TOO_DETAILED,
        )
