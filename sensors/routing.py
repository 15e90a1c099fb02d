from __future__ import annotations

from django.urls import path

from sensors.consumers import CityFeedConsumer

websocket_urlpatterns = [
    path("ws/sensors/", CityFeedConsumer.as_asgi()),
]
