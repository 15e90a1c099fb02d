"""Reads of the portal app."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from portal.models import District


def district_list() -> QuerySet[District]:
    return District.objects.annotate(pilot_count=Count("pilots", distinct=True)).order_by("name_en")


def district_feature_collection(districts: QuerySet[District]) -> dict[str, Any]:
    """Districts as one GeoJSON FeatureCollection, for maps."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": district.code,
                "geometry": district.boundary or None,
                "properties": {
                    "code": district.code,
                    "slug": district.slug,
                    "name_ko": district.name_ko,
                    "name_en": district.name_en,
                    "pilot_count": getattr(district, "pilot_count", None),
                },
            }
            for district in districts
        ],
    }
