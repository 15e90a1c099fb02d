"""Pages of live sensor data: the city's live map and one device's history."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import selectors as portal_selectors
from sensors import selectors
from sensors.bands import ALERT_RULES, alert_text, metric_catalogue
from sensors.models import Alert

# The city feed carries public devices only; a member's private devices come over the feed of
# their pilot, one socket each. Staff may see every pilot, so the map opens a handful at most,
# those with the most private devices on it.
LIVE_PILOT_FEEDS = 5


def live_feed_paths(devices: list[dict[str, Any]]) -> list[str]:
    """The WebSocket feeds a live map listens to: the city's, and those of private devices."""
    private = Counter(
        device["pilot"] for device in devices if device["pilot"] and not device["public"]
    )
    pilots = sorted(slug for slug, _count in private.most_common(LIVE_PILOT_FEEDS))
    return ["/ws/sensors/", *(f"/ws/sensors/pilots/{slug}/" for slug in pilots)]


def alert_phrases(metrics: list[dict[str, Any]]) -> dict[str, str]:
    """Each alert rule's sentence in the current language, with `{value}` for the page to fill.

    An alert's stored message was written in the server's language when it opened; the live map
    builds the same sentence in the viewer's language from the alert's rule and value instead.
    """
    units = {metric["code"]: metric["unit"] for metric in metrics}
    phrases = {
        str(rule.rule): alert_text(rule, value="{value}", unit=units.get(rule.metric, ""))
        for rule in ALERT_RULES
    }
    # The silence that raised the alert has lasted at least this long, and goes on while it is open.
    phrases[str(Alert.Rule.DEVICE_SILENT)] = _("No readings for %(minutes)d minutes or more.") % {
        "minutes": settings.SENSORS_SILENT_AFTER // 60
    }
    return phrases


def live_map_context(request: HttpRequest) -> dict[str, Any]:
    """What a live map needs, on the live page and on the home page."""
    devices = selectors.live_devices(user=request.user)
    metrics = metric_catalogue(selectors.metric_list())
    return {
        "live_devices": devices,
        "live_metrics": metrics,
        "live_feeds": live_feed_paths(devices),
        "device_url_template": reverse("sensors:device", kwargs={"pk": 0}),
        "alert_rules": {str(value): str(label) for value, label in Alert.Rule.choices},
        "alert_phrases": alert_phrases(metrics),
        "alert_levels": {str(value): str(label) for value, label in Alert.Level.choices},
    }


def live(request: HttpRequest) -> HttpResponse:
    context = {
        **live_map_context(request),
        "district_geojson": portal_selectors.district_feature_collection(
            portal_selectors.district_list()
        ),
    }
    return render(request, "sensors/live.html", context)


def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = selectors.visible_device(request.user, pk)
    if device is None:
        raise Http404
    metrics = list(selectors.device_metrics(device))
    context = {
        "device": device,
        "metrics": metrics,
        "metric_catalogue": metric_catalogue(metrics),
        "device_config": {
            "id": device.pk,
            "feed": f"/ws/sensors/devices/{device.pk}/",
            "rollups": reverse("device-rollups", kwargs={"device_id": device.pk}),
            "readings": reverse("device-readings", kwargs={"device_id": device.pk}),
        },
    }
    return render(request, "sensors/device_detail.html", context)
