"""Pages of live sensor data: the city's live map and one device's history."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from portal import selectors as portal_selectors
from sensors import selectors
from sensors.bands import metric_catalogue
from sensors.models import Alert


def live_map_context(request: HttpRequest) -> dict[str, Any]:
    """What a live map needs, on the live page and on the home page."""
    return {
        "live_devices": selectors.live_devices(user=request.user),
        "live_metrics": metric_catalogue(selectors.metric_list()),
        "live_feed_path": "/ws/sensors/",
        "device_url_template": reverse("sensors:device", kwargs={"pk": 0}),
        "alert_rules": {str(value): str(label) for value, label in Alert.Rule.choices},
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
