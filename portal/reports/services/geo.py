"""Distances and places for reports: which district a point is in, how far two points are, and
which cell of the map's cluster grid holds a point at each zoom."""

from __future__ import annotations

import math

from portal.geo import contains
from portal.models import District
from portal.reports.models import CLUSTER_ZOOMS

EARTH_RADIUS_M = 6_371_000.0
# Side of a cluster cell on screen, in pixels; the cell in degrees follows from the zoom.
CLUSTER_CELL_PX = 64
# A cell's row is multiplied by this before its column is added; columns stay below it up to
# zoom 18 (4 · 2^18 columns round the globe).
CELL_ROW_FACTOR = 2**20


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degree_box(
    latitude: float, longitude: float, radius_m: float
) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a box holding the circle, to filter in SQL first."""
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def district_at(*, latitude: float, longitude: float) -> District | None:
    """The district whose boundary holds the point, if any."""
    for district in District.objects.only("pk", "boundary", "slug"):
        if district.boundary and contains(
            district.boundary, latitude=latitude, longitude=longitude
        ):
            return district
    return None


def district_named_in(text: str) -> District | None:
    """The district an address names (in Korean or English, or by its code), if exactly one."""
    lowered = text.lower()
    found = [
        district
        for district in District.objects.all()
        if getattr(district, "name_ko", "") in text
        or getattr(district, "name_en", "").lower() in lowered
        or district.code == text.strip()
        or district.slug in lowered
    ]
    return found[0] if len(found) == 1 else None


def cell_degrees(zoom: int) -> float:
    """The side of a cluster cell in degrees at this zoom (Web Mercator, 256-pixel tiles)."""
    return 360.0 * CLUSTER_CELL_PX / (256 * float(2**zoom))


def map_cell(*, latitude: float, longitude: float, zoom: int) -> int:
    """The cluster cell holding the point at this zoom, as one number: row · 2^20 + column.

    Rows count from the South Pole and columns from the antimeridian, so both are never
    negative; cell edges fall where `floor(latitude / side)` would put them.
    """
    side = cell_degrees(zoom)
    return math.floor((latitude + 90) / side) * CELL_ROW_FACTOR + math.floor(
        (longitude + 180) / side
    )


def map_cells(*, latitude: float, longitude: float) -> dict[str, int]:
    """The point's cell at every zoom of CLUSTER_ZOOMS, keyed by the report's field names."""
    return {
        f"cell_z{zoom}": map_cell(latitude=latitude, longitude=longitude, zoom=zoom)
        for zoom in CLUSTER_ZOOMS
    }
