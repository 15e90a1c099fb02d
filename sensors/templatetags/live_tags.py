"""`{% live_map %}`: the city's live sensor map, for pages whose view knows nothing of sensors."""

from __future__ import annotations

from typing import Any

from django import template

from sensors.views import live_map_context

register = template.Library()


@register.inclusion_tag("sensors/includes/live_map.html", takes_context=True)
def live_map(context: Any, map_name: str = "live-map", geojson_id: str = "district-geojson") -> Any:
    return {
        **live_map_context(context["request"]),
        "map_name": map_name,
        "geojson_id": geojson_id,
    }
