"""Load Seoul's 25 districts and their boundaries, as they were when this migration was written.

The boundaries come from a copy of portal/data/seoul_districts.geojson kept beside this file,
and the little geometry needed to place each district's centre is copied here, so that this
migration does not change when `build_district_geojson` rewrites the data file or portal.geo
changes.
"""

import itertools
import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

DISTRICTS_FILE = Path(__file__).resolve().with_suffix(".geojson")


def outer_rings(geometry):
    """The outer ring of each polygon of a Polygon or MultiPolygon."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def centre(geometry):
    """(latitude, longitude) of the area-weighted centre of the outer rings."""
    area_sum = lon_sum = lat_sum = 0.0
    for ring in outer_rings(geometry):
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area_sum += cross
            lon_sum += (x0 + x1) * cross
            lat_sum += (y0 + y1) * cross
    if area_sum == 0:
        # A degenerate shape: the middle of its bounding box.
        points = [point for ring in outer_rings(geometry) for point in ring]
        lons = [point[0] for point in points]
        lats = [point[1] for point in points]
        return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    return lat_sum / (3 * area_sum), lon_sum / (3 * area_sum)


def load_districts(apps, schema_editor):
    district_model = apps.get_model("portal", "District")
    with DISTRICTS_FILE.open(encoding="utf-8") as source:
        collection = json.load(source)
    for feature in collection["features"]:
        properties = feature["properties"]
        latitude, longitude = centre(feature["geometry"])
        district_model.objects.update_or_create(
            code=properties["code"],
            defaults={
                "slug": slugify(properties["name_en"]),
                "name_ko": properties["name_ko"],
                "name_en": properties["name_en"],
                "boundary": feature["geometry"],
                "center_latitude": round(latitude, 6),
                "center_longitude": round(longitude, 6),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_role_groups")]

    operations = [migrations.RunPython(load_districts, migrations.RunPython.noop)]
