"""Small geometry on GeoJSON polygons in longitude/latitude, enough for district-sized shapes.

The portal does without GDAL and PostGIS: districts are few and their outlines simplified, so
plain Python over the rings is fast enough and keeps the install to `pip install`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.text import slugify

SEOUL_DISTRICTS_FILE = Path(__file__).resolve().parent / "data" / "seoul_districts.geojson"

Ring = list[list[float]]


def polygons(geometry: dict[str, Any]) -> Iterator[list[Ring]]:
    """Each polygon of a Polygon or MultiPolygon, as a list of rings (outer ring first)."""
    if geometry.get("type") == "Polygon":
        yield geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        yield from geometry["coordinates"]


def _ring_contains(ring: Ring, lon: float, lat: float) -> bool:
    inside = False
    previous_lon, previous_lat = ring[-1][0], ring[-1][1]
    for point in ring:
        point_lon, point_lat = point[0], point[1]
        if (point_lat > lat) != (previous_lat > lat):
            crossing = (previous_lon - point_lon) * (lat - point_lat) / (
                previous_lat - point_lat
            ) + point_lon
            if lon < crossing:
                inside = not inside
        previous_lon, previous_lat = point_lon, point_lat
    return inside


def contains(geometry: dict[str, Any], *, latitude: float, longitude: float) -> bool:
    """Whether the point lies inside the geometry (holes excluded)."""
    for rings in polygons(geometry):
        outer, *holes = rings
        if _ring_contains(outer, longitude, latitude) and not any(
            _ring_contains(hole, longitude, latitude) for hole in holes
        ):
            return True
    return False


def bounding_box(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min longitude, min latitude, max longitude, max latitude)."""
    points = [point for rings in polygons(geometry) for point in rings[0]]
    lons = [point[0] for point in points]
    lats = [point[1] for point in points]
    return min(lons), min(lats), max(lons), max(lats)


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """(latitude, longitude) of the area-weighted centre of the outer rings."""
    area_sum = lon_sum = lat_sum = 0.0
    for rings in polygons(geometry):
        ring = rings[0]
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area_sum += cross
            lon_sum += (x0 + x1) * cross
            lat_sum += (y0 + y1) * cross
    if area_sum == 0:
        min_lon, min_lat, max_lon, max_lat = bounding_box(geometry)
        return (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
    return lat_sum / (3 * area_sum), lon_sum / (3 * area_sum)


def seoul_districts() -> list[dict[str, Any]]:
    """Seoul's 25 districts from the committed GeoJSON file, as District field values.

    Plain dictionaries, so that data migrations (which work on historical models) can use them.
    """
    with SEOUL_DISTRICTS_FILE.open(encoding="utf-8") as source:
        collection: dict[str, Any] = json.load(source)
    districts = []
    for feature in collection["features"]:
        properties = feature["properties"]
        latitude, longitude = centroid(feature["geometry"])
        districts.append(
            {
                "code": properties["code"],
                "slug": slugify(properties["name_en"]),
                "name_ko": properties["name_ko"],
                "name_en": properties["name_en"],
                "boundary": feature["geometry"],
                "center_latitude": round(latitude, 6),
                "center_longitude": round(longitude, 6),
            }
        )
    return districts
