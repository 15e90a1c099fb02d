"""WebSocket routes of every app, gathered in one list for the ASGI application."""

from __future__ import annotations

from sensors.live.routing import websocket_urlpatterns as sensor_routes

websocket_urlpatterns = [*sensor_routes]
