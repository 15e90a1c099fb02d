"""Reads of the portal app."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from portal.languages import texts_by_language
from portal.models import District


def district_list() -> QuerySet[District]:
    return District.objects.annotate(pilot_count=Count("pilots", distinct=True)).order_by("name_en")


def district_feature_collection(districts: QuerySet[District]) -> dict[str, Any]:
    """Districts as one GeoJSON FeatureCollection, for maps."""
    return {"type": "FeatureCollection", "features": [_feature(d) for d in districts]}


def _feature(district: District) -> dict[str, Any]:
    names = texts_by_language(district, "name")
    return {
        "type": "Feature",
        "id": district.code,
        "geometry": district.boundary or None,
        "properties": {
            "code": district.code,
            "slug": district.slug,
            # Both languages: the map labels each district in the page's own.
            **{f"name_{language}": name for language, name in names.items()},
            "pilot_count": getattr(district, "pilot_count", None),
        },
    }
