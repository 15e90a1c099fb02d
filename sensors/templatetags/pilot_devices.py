"""`{% pilot_devices pilot %}`: a pilot's devices with their newest values, for the pilot page.

The pilot page belongs to an app below sensors, so sensors contributes this part of it.
"""

from __future__ import annotations

from typing import Any

from django import template

from pilots.models import Pilot
from sensors import selectors

register = template.Library()


@register.inclusion_tag("sensors/includes/pilot_devices.html", takes_context=True)
def pilot_devices(context: Any, pilot: Pilot) -> dict[str, Any]:
    return {"devices": selectors.pilot_devices(pilot, context["request"].user)}
