"""Everything the server pushes to live feeds goes through here; group names live in one place."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

CITY_GROUP = "sensors.city"


def city_group() -> str:
    return CITY_GROUP


def reading_message(
    *, device_id: int, metric: str, time: str, value: float, latitude: float, longitude: float
) -> dict[str, Any]:
    """The JSON a feed sends for one reading; time is ISO 8601 with its offset."""
    return {
        "device": device_id,
        "metric": metric,
        "time": time,
        "value": value,
        "lat": latitude,
        "lon": longitude,
    }


def push_readings(readings: list[dict[str, Any]]) -> None:
    """Send readings (shaped by `reading_message`) to the city feed. Call after commit."""
    layer = get_channel_layer()
    if layer is None or not readings:
        return
    async_to_sync(layer.group_send)(CITY_GROUP, {"type": "feed.readings", "readings": readings})
