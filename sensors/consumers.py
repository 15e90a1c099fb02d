"""WebSocket feeds of live readings."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sensors import selectors
from sensors.realtime import city_group


class CityFeedConsumer(AsyncJsonWebsocketConsumer):
    """The whole city's public devices: a snapshot of the latest values, then new readings."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(city_group(), self.channel_name)
        await self.accept()
        snapshot = await database_sync_to_async(selectors.latest_public_readings)()
        await self.send_json({"type": "snapshot", "feed": "city", "readings": snapshot})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(city_group(), self.channel_name)

    async def feed_readings(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "readings", "readings": event["readings"]})
