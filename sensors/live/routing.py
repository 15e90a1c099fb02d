"""The WebSocket URLs of the live feeds; the pages and outside software connect to these."""

from __future__ import annotations

from django.urls import path

from sensors.live import consumers

websocket_urlpatterns = [
    path("ws/sensors/", consumers.CityFeedConsumer.as_asgi()),
    path("ws/sensors/districts/<slug:key>/", consumers.DistrictFeedConsumer.as_asgi()),
    path("ws/sensors/pilots/<slug:key>/", consumers.PilotFeedConsumer.as_asgi()),
    path("ws/sensors/devices/<int:key>/", consumers.DeviceFeedConsumer.as_asgi()),
]
