"""`{% portal_map "pilot-map" callback="pilotAreaMap" %}`: a Leaflet map without inline script.

django-leaflet's `{% leaflet_map %}` writes an inline script to create the map, which the
Content-Security-Policy refuses. This writes a plain element instead, carrying the same options
(from LEAFLET_CONFIG, through django-leaflet's own tag) in a data attribute; the static
`portal/js/maps.js`, which every page loads, creates the map from it once the page has loaded and
hands it to `window[callback]`, as django-leaflet would.
"""

from __future__ import annotations

from typing import Any

from django import template
from leaflet.templatetags.leaflet_tags import leaflet_map

register = template.Library()


@register.inclusion_tag("portal/includes/map.html")
def portal_map(name: str, callback: str = "") -> dict[str, Any]:
    options: str = leaflet_map(name)["djoptions"]
    return {"name": name, "callback": callback, "options": options}
