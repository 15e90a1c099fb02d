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
from django.utils.translation import gettext as _

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
        context["draw_strings_id"] = f"{base_id}-draw-strings"
        context["draw_strings"] = draw_strings()
        return context


def draw_strings() -> dict[str, Any]:
    """Leaflet.draw's words for the tools the editor offers, in the manager's language.

    Shaped like Leaflet.draw's `L.drawLocal`, into which the editor's script merges them;
    Leaflet.draw itself speaks only English.
    """
    cancel = {"title": _("Cancel drawing"), "text": _("Cancel")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {"polygon": _("Draw a polygon"), "rectangle": _("Draw a rectangle")},
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the shape."),
                        "cont": _("Click to continue drawing the shape."),
                        "end": _("Click the first point to close the shape."),
                    }
                },
                "polyline": {"error": _("The shape's edges cannot cross.")},
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Keep the changes"), "text": _("Save")},
                    "cancel": {
                        "title": _("Cancel editing and undo every change"),
                        "text": _("Cancel"),
                    },
                    "clearAll": {"title": _("Delete every shape"), "text": _("Delete all")},
                },
                "buttons": {
                    "edit": _("Edit the shapes"),
                    "editDisabled": _("No shapes to edit"),
                    "remove": _("Delete shapes"),
                    "removeDisabled": _("No shapes to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles to change a shape."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
    }
