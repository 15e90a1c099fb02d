"""Everything the server pushes to live feeds goes through here; group names live in one place.

There are four feeds: one device, one pilot, one district and the whole city. Senders (the
processing tasks, after their transaction commits) hand every batch to one channel-layer group,
`feed_group(Feed.CITY)`. Each ASGI server process has a single member in that group, its feed hub
(`sensors.feeds`), which routes readings to the local subscribers of every feed and coalesces the
city, district and pilot feeds into a few frames per second. So a batch costs one channel-layer
message per server process, however many browsers watch, rather than one per subscriber.
"""

from __future__ import annotations

import asyncio
import enum
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

GROUP_PREFIX = "sensors"


class Feed(enum.StrEnum):
    CITY = "city"
    DISTRICT = "district"
    PILOT = "pilot"
    DEVICE = "device"


def feed_group(feed: Feed, key: int | None = None) -> str:
    """The one name of a feed's group: `sensors.city`, `sensors.device.12`, `sensors.pilot.3`…

    The city feed takes no key; the others take the id of their device, pilot or district.
    """
    if feed is Feed.CITY:
        if key is not None:
            raise ValueError("the city feed has no key")
        return f"{GROUP_PREFIX}.{feed.value}"
    if key is None:
        raise ValueError(f"the {feed.value} feed needs the id of its {feed.value}")
    return f"{GROUP_PREFIX}.{feed.value}.{int(key)}"


def city_group() -> str:
    return feed_group(Feed.CITY)


def reading_message(
    *,
    device_id: int,
    metric: str,
    time: str,
    value: float,
    latitude: float,
    longitude: float,
    district_id: int | None = None,
    pilot_id: int | None = None,
    public: bool | None = None,
) -> dict[str, Any]:
    """The JSON a feed sends for one reading; time is ISO 8601 with its offset.

    `district_id`, `pilot_id` and `public` route the reading to the district and pilot feeds and
    keep private devices out of the open ones. Senders may leave them out: `push_readings` then
    looks them up in one query per batch.
    """
    message: dict[str, Any] = {
        "device": device_id,
        "metric": metric,
        "time": time,
        "value": value,
        "lat": latitude,
        "lon": longitude,
    }
    if public is not None:
        message["district"] = district_id
        message["pilot"] = pilot_id
        message["public"] = public
    return message


ROUTING_KEYS = ("district", "pilot", "public")


def _with_routing(readings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The readings, each with its device's district, pilot and visibility filled in."""
    missing = {reading["device"] for reading in readings if "public" not in reading}
    if not missing:
        return readings
    # Imported here: this module is imported by the ASGI routing before apps are ready.
    from sensors.selectors import device_routing

    routes = device_routing(missing)
    enriched = []
    for reading in readings:
        if "public" in reading:
            enriched.append(reading)
        elif reading["device"] in routes:
            enriched.append({**reading, **routes[reading["device"]]})
        # A reading of a device deleted meanwhile has no feed left to go to.
    return enriched


SEND_TIMEOUT_SECONDS = 10

_sender_lock = threading.Lock()
_sender: tuple[int, asyncio.AbstractEventLoop] | None = None


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for channel-layer sends from synchronous code.

    `async_to_sync` would start a fresh event loop, and with it a fresh Redis connection, for
    every batch; a worker pushing hundreds of batches a second would spend more on that than on
    the sends. One long-lived loop per process (re-made after a fork) keeps its connections.
    """
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="live-feeds", daemon=True)
            thread.start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def _group_send(layer: Any, message: dict[str, Any]) -> None:
    if isinstance(layer, InMemoryChannelLayer):
        # The in-memory layer lives in the server's own loop, which async_to_sync finds.
        async_to_sync(layer.group_send)(city_group(), message)
        return
    future = asyncio.run_coroutine_threadsafe(
        layer.group_send(city_group(), message), _sender_loop()
    )
    future.result(timeout=SEND_TIMEOUT_SECONDS)


def push_readings(readings: list[dict[str, Any]]) -> None:
    """Send readings (shaped by `reading_message`) to every feed they belong to.

    Call after the readings are committed (`transaction.on_commit`), from synchronous code.
    """
    layer = get_channel_layer()
    if layer is None or not readings:
        return
    routed = _with_routing(readings)
    if routed:
        _group_send(layer, {"type": "feed.readings", "readings": routed})


def alert_message(
    *,
    alert_id: int,
    device_id: int,
    device_name: str,
    metric: str,
    rule: str,
    level: str,
    value: float | None,
    opened_at: str,
    closed_at: str | None,
    district_id: int,
    pilot_id: int | None,
    public: bool,
    message: str = "",
) -> dict[str, Any]:
    """The JSON a feed sends when an alert opens or closes; times are ISO 8601."""
    return {
        "id": alert_id,
        "device": device_id,
        "device_name": device_name,
        "metric": metric,
        "rule": rule,
        "level": level,
        "message": message,
        "value": value,
        "opened_at": opened_at,
        "closed_at": closed_at,
        "district": district_id,
        "pilot": pilot_id,
        "public": public,
    }


def push_alert(alert: dict[str, Any]) -> None:
    """Send an alert (shaped by `alert_message`) to the feeds of its device. Call after commit."""
    push_alerts([alert])


def push_alerts(alerts: Iterable[dict[str, Any]]) -> None:
    layer = get_channel_layer()
    batch = list(alerts)
    if layer is None or not batch:
        return
    _group_send(layer, {"type": "feed.alerts", "alerts": batch})
