"""What the live feeds carry, and the one place their channel-layer group names are made.

A reading or an alert travels with its routing keys (its device's district, pilot and
visibility), which the hub routes it by and strips before a client sees a reading. Senders must
give them: a message without them could not be kept out of the open feeds.
"""

from __future__ import annotations

import enum
from typing import Any

from sensors.models import Alert, Device, Reading

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
    """The group every batch is sent to; each server process's hub is its one member."""
    return feed_group(Feed.CITY)


ROUTING_KEYS = ("district", "pilot", "public")


def reading_message(
    *,
    device_id: int,
    metric: str,
    time: str,
    value: float,
    latitude: float,
    longitude: float,
    district_id: int,
    pilot_id: int | None,
    public: bool,
) -> dict[str, Any]:
    """The JSON a feed sends for one reading, with its routing keys; time is ISO 8601."""
    return {
        "device": device_id,
        "metric": metric,
        "time": time,
        "value": value,
        "lat": latitude,
        "lon": longitude,
        "district": district_id,
        "pilot": pilot_id,
        "public": public,
    }


def for_client(reading: dict[str, Any]) -> dict[str, Any]:
    """A reading without the keys that only route it; clients are sent these."""
    return {key: value for key, value in reading.items() if key not in ROUTING_KEYS}


def reading_to_message(reading: Reading, *, metric_code: str) -> dict[str, Any]:
    """A stored reading as a feed sends it; `reading.device` should be loaded with it."""
    device = reading.device
    return reading_message(
        device_id=device.pk,
        metric=metric_code,
        time=reading.time.isoformat(),
        value=reading.value,
        latitude=device.latitude,
        longitude=device.longitude,
        district_id=device.district_id,
        pilot_id=device.pilot_id,
        public=device.visibility == Device.Visibility.PUBLIC,
    )


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


def alert_payload(alert: Alert) -> dict[str, Any]:
    """An alert as the feeds send it; `alert.device` and `alert.metric` should be loaded."""
    device = alert.device
    return alert_message(
        alert_id=alert.pk,
        device_id=device.pk,
        device_name=device.name,
        metric=alert.metric.code if alert.metric else "",
        rule=alert.rule,
        level=alert.level,
        message=alert.message,
        value=alert.value,
        opened_at=alert.opened_at.isoformat(),
        closed_at=alert.closed_at.isoformat() if alert.closed_at else None,
        district_id=device.district_id,
        pilot_id=device.pilot_id,
        public=device.visibility == Device.Visibility.PUBLIC,
    )
