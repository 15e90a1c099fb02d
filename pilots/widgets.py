"""The admin's area editor: Leaflet and Leaflet.draw as shipped by django-leaflet, without GDAL.

django-leaflet's own form widget lives in leaflet.forms, which imports django.contrib.gis and so
needs GDAL; this widget uses the same static files and keeps the GeoJSON in a plain textarea.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from portal.models import District
from portal.selectors import district_feature_collection


class AreaWidget(forms.Textarea):
    template_name = "pilots/admin/area_widget.html"

    class Media:
        css = {
            "all": [
                "leaflet/leaflet.css",
                "leaflet/draw/leaflet.draw.css",
                "pilots/css/area-widget.css",
            ]
        }
        js = ["leaflet/leaflet.js", "leaflet/draw/leaflet.draw.js", "pilots/js/area-widget.js"]

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        # The template lives with the site's templates, which the default form renderer
        # does not search.
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))  # noqa: S308

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        config: dict[str, Any] = settings.LEAFLET_CONFIG
        tiles = config["TILES"][0]
        context["map"] = {
            "center": list(config["DEFAULT_CENTER"]),
            "zoom": config["DEFAULT_ZOOM"],
            "tile_url": tiles[1],
            "attribution": tiles[2].get("attribution", ""),
        }
        base_id = context["widget"]["attrs"].get("id", name)
        context["config_id"] = f"{base_id}-config"
        context["districts_id"] = f"{base_id}-districts"
        # Without tiles (offline, or a blocked tile server) the districts still give bearings.
        context["districts"] = district_feature_collection(District.objects.all())
        return context
