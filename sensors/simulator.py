"""A simulated city of devices that send readings the way real ones do, over HTTP or MQTT.

Values follow Seoul's rhythm: fine dust and noise rise with the morning and evening rush hours,
temperature peaks mid-afternoon, pedestrians fill the streets by day; now and then a dust event
lifts fine dust across the city for half an hour or so, and devices drop out for a few minutes and
come back. The simulator talks to the portal exactly as devices do, with their own tokens, so
everything downstream (validation, storage, rollups, alerts, live feeds) runs for real.
"""

from __future__ import annotations

import heapq
import json
import logging
import math
import random
import threading
import time as clock
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection, HTTPSConnection
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.db import transaction

from portal.models import District
from sensors.models import Device, DeviceCredential
from sensors.services import device_credential_issue, device_credentials_revoke

logger = logging.getLogger(__name__)

SEOUL = timedelta(hours=9)

# What each kind of device measures.
KIND_METRICS: dict[str, list[str]] = {
    Device.Kind.AIR_QUALITY: ["pm10", "pm25"],
    Device.Kind.WEATHER: ["temperature", "humidity"],
    Device.Kind.NOISE: ["noise"],
    Device.Kind.PEDESTRIAN_COUNTER: ["pedestrians"],
    Device.Kind.VEHICLE_COUNTER: ["vehicles"],
    Device.Kind.ENERGY_METER: ["energy"],
    Device.Kind.BATTERY: ["battery_soc"],
}

# Limits of the catalogue (sensors/catalogue.py); values are kept inside them.
LIMITS: dict[str, tuple[float, float]] = {
    "pm10": (0, 2000),
    "pm25": (0, 1000),
    "temperature": (-40, 60),
    "humidity": (0, 100),
    "noise": (20, 140),
    "pedestrians": (0, 5000),
    "vehicles": (0, 1000),
    "energy": (0, 100000),
    "battery_soc": (0, 100),
}


@dataclass
class SimulatedDevice:
    """One device's identity, token and the state that makes its values wander smoothly."""

    id: int
    name: str
    metrics: list[str]
    token: str
    bias: float = 0.0
    drift: dict[str, float] = field(default_factory=dict)
    offline_until: float = 0.0


@dataclass
class Weather:
    """City-wide conditions shared by every device: the current dust event, if any."""

    dust_until: float = 0.0
    dust_factor: float = 1.0


def seoul_hour(moment: datetime) -> float:
    local = moment.astimezone(UTC) + SEOUL
    return local.hour + local.minute / 60 + local.second / 3600


def value_at(
    metric: str, moment: datetime, *, device: SimulatedDevice, dust: float, rng: random.Random
) -> float:
    """A plausible reading of `metric` at `moment`, moving smoothly from the device's last one."""
    hour = seoul_hour(moment)
    rush = math.exp(-((hour - 8.5) ** 2) / 1.5) + math.exp(-((hour - 18.5) ** 2) / 2.0)
    day = math.sin((hour - 9) / 24 * 2 * math.pi)  # Highest mid-afternoon, lowest before dawn.
    awake = 1.0 if 7 <= hour <= 23 else 0.0
    # A bounded random walk per device and metric: neighbours differ, values do not jump.
    walk = device.drift.get(metric, 0.0) * 0.9 + rng.gauss(0, 1)
    device.drift[metric] = walk
    base: dict[str, float] = {
        "pm25": (13 + 20 * rush + device.bias * 4 + walk * 1.5) * dust,
        "pm10": (27 + 38 * rush + device.bias * 7 + walk * 2.5) * dust,
        "temperature": 6 + 5 * day + device.bias * 0.8 + walk * 0.15,
        "humidity": 58 - 14 * day + device.bias * 3 + walk * 0.8,
        "noise": 46 + 17 * rush + 7 * awake + device.bias * 2 + walk * 0.8,
        "pedestrians": max(0.0, 8 + 60 * rush + 30 * awake * (1 + day) + walk * 3),
        "vehicles": max(0.0, 6 + 45 * rush + 12 * awake + walk * 2),
        "energy": max(0.0, 1.2 + 2.5 * math.exp(-((hour - 20) ** 2) / 6) + walk * 0.1),
        # Charged by the afternoon sun, spent through the evening peak.
        "battery_soc": 55 + 35 * math.sin((hour - 10) / 24 * 2 * math.pi) + walk * 0.5,
    }
    low, high = LIMITS[metric]
    value = min(max(base[metric], low), high)
    return round(value) if metric in {"pedestrians", "vehicles"} else round(value, 1)


class Transport(Protocol):
    def send(self, device: SimulatedDevice, readings: list[dict[str, Any]]) -> bool: ...

    def close(self) -> None: ...


class HttpTransport:
    """POSTs batches to /api/sensors/readings with the device's token; a connection per thread."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL; got {base_url!r}")
        self.parts = parts
        self.path = parts.path.rstrip("/") + "/api/sensors/readings"
        self.timeout = timeout
        self.local = threading.local()

    def _connection(self) -> HTTPConnection:
        connection: HTTPConnection | None = getattr(self.local, "connection", None)
        if connection is None:
            kind = HTTPSConnection if self.parts.scheme == "https" else HTTPConnection
            connection = kind(self.parts.hostname or "", self.parts.port, timeout=self.timeout)
            self.local.connection = connection
        return connection

    def send(self, device: SimulatedDevice, readings: list[dict[str, Any]]) -> bool:
        body = json.dumps(readings)
        headers = {"Authorization": f"Token {device.token}", "Content-Type": "application/json"}
        try:
            connection = self._connection()
            connection.request("POST", self.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except OSError as exc:
            logger.warning("Could not send %s's readings: %s", device.name, exc)
            self.local.connection = None
            return False
        if response.status >= 300:
            logger.warning("%s's readings answered %s", device.name, response.status)
        return response.status < 300

    def close(self) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()


def mqtt_payload(token: str, readings: list[dict[str, Any]]) -> str:
    """A device's MQTT message: its token travels in the payload, beside its readings."""
    return json.dumps({"token": token, "readings": readings})


class MqttTransport:
    """Publishes each batch to devices/<id>/readings with QoS 1."""

    def __init__(self, url: str) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        parts = urlsplit(url)
        if parts.scheme not in {"mqtt", "mqtts"} or not parts.hostname:
            raise ValueError(f"the MQTT URL must start with mqtt:// or mqtts://; got {url!r}")
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        if parts.username:
            self.client.username_pw_set(parts.username, parts.password)
        if parts.scheme == "mqtts":
            self.client.tls_set()
        self.client.connect(parts.hostname, parts.port or 1883)
        self.client.loop_start()

    def send(self, device: SimulatedDevice, readings: list[dict[str, Any]]) -> bool:
        info = self.client.publish(
            f"devices/{device.id}/readings", mqtt_payload(device.token, readings), qos=1
        )
        return bool(info.rc == 0)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@dataclass
class SimulatorStats:
    batches: int = 0
    readings: int = 0
    failures: int = 0
    dropouts: int = 0
    dust_events: int = 0


class Simulator:
    """Sends every online device's readings once per `interval`, spread over the interval."""

    def __init__(
        self,
        *,
        devices: list[SimulatedDevice],
        transport: Transport,
        interval: float,
        seed: int | None = None,
        dropout_chance: float = 0.003,
        dust_chance: float = 0.0005,
        now: Callable[[], float] = clock.time,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.devices = devices
        self.transport = transport
        self.interval = interval
        self.rng = random.Random(seed)  # noqa: S311 - simulated values, not secrets.
        self.dropout_chance = dropout_chance
        self.dust_chance = dust_chance
        self.now = now
        self.weather = Weather()
        self.stats = SimulatorStats()
        for device in devices:
            device.bias = self.rng.gauss(0, 1)

    def readings_for(self, device: SimulatedDevice, moment: float) -> list[dict[str, Any]]:
        """The device's readings now, or none while it is out; may start or end an outage."""
        if moment < device.offline_until:
            return []
        if self.rng.random() < self.dropout_chance:
            # Out of power or signal for a few minutes, then back as if nothing happened.
            device.offline_until = moment + self.rng.uniform(60, 900)
            self.stats.dropouts += 1
            return []
        when = datetime.fromtimestamp(moment, tz=UTC)
        dust = self.dust_factor(moment)
        return [
            {
                "metric": metric,
                "time": when.isoformat(timespec="milliseconds"),
                "value": value_at(metric, when, device=device, dust=dust, rng=self.rng),
            }
            for metric in device.metrics
        ]

    def dust_factor(self, moment: float) -> float:
        if moment >= self.weather.dust_until and self.rng.random() < self.dust_chance:
            self.weather.dust_until = moment + self.rng.uniform(15 * 60, 60 * 60)
            self.weather.dust_factor = self.rng.uniform(2.0, 3.5)
            self.stats.dust_events += 1
        return self.weather.dust_factor if moment < self.weather.dust_until else 1.0

    def start_dust_event(self, *, minutes: float, factor: float = 2.8) -> None:
        self.weather.dust_until = self.now() + minutes * 60
        self.weather.dust_factor = factor

    def _send(self, device: SimulatedDevice, readings: list[dict[str, Any]]) -> None:
        if self.transport.send(device, readings):
            self.stats.batches += 1
            self.stats.readings += len(readings)
        else:
            self.stats.failures += 1

    def run(
        self, *, stop: threading.Event, duration: float | None = None, workers: int = 8
    ) -> SimulatorStats:
        """Run until `stop` is set or `duration` seconds have passed."""
        started = self.now()
        # Spread the devices over the interval, so that the city moves all the time.
        due = [
            (started + self.interval * index / max(len(self.devices), 1), index)
            for index in range(len(self.devices))
        ]
        heapq.heapify(due)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simulator") as pool:
            while due and not stop.is_set():
                moment, index = due[0]
                if duration is not None and moment - started >= duration:
                    break
                wait = moment - self.now()
                if wait > 0:
                    stop.wait(min(wait, 1.0))
                    continue
                heapq.heapreplace(due, (moment + self.interval, index))
                device = self.devices[index]
                readings = self.readings_for(device, self.now())
                if readings:
                    pool.submit(self._send, device, readings)
        self.transport.close()
        return self.stats


SIMULATOR_LABEL = "simulator"


@transaction.atomic
def simulated_devices_prepare(*, count: int) -> list[SimulatedDevice]:
    """`count` active devices that measure something, with a fresh token each.

    The city's existing devices come first; when there are fewer than `count`, simulated air and
    weather stations are added across the districts (named `sim-…`, so they are easy to find).
    """
    devices = list(
        Device.objects.filter(status=Device.Status.ACTIVE, kind__in=list(KIND_METRICS)).order_by(
            "pk"
        )[:count]
    )
    districts = list(District.objects.order_by("code"))
    number = 0
    while len(devices) < count and districts:
        number += 1
        district = districts[number % len(districts)]
        kind = Device.Kind.AIR_QUALITY if number % 3 else Device.Kind.WEATHER
        rng = random.Random(f"sim-{number}")  # noqa: S311 - placement, not secrets.
        device, _created = Device.objects.get_or_create(
            name=f"sim-{district.slug}-{number:04d}",
            defaults={
                "kind": kind,
                "district": district,
                "latitude": round(district.center_latitude + rng.uniform(-0.012, 0.012), 6),
                "longitude": round(district.center_longitude + rng.uniform(-0.015, 0.015), 6),
            },
        )
        if device.status == Device.Status.ACTIVE and device not in devices:
            devices.append(device)
    # The tokens of an earlier run are not needed any more; each run works with its own.
    device_credentials_revoke(
        credentials=DeviceCredential.objects.filter(
            device__in=devices, label=SIMULATOR_LABEL, revoked_at__isnull=True
        )
    )
    return [
        SimulatedDevice(
            id=device.pk,
            name=device.name,
            metrics=KIND_METRICS[device.kind],
            token=device_credential_issue(device=device, label=SIMULATOR_LABEL)[1],
        )
        for device in devices
    ]


@dataclass
class SimulatorHandle:
    """A simulator running in a background thread; `stop()` ends it and waits for it."""

    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def run_in_background(
    *,
    base_url: str = "http://127.0.0.1:8000",
    devices: int = 100,
    interval: float = 5.0,
    mqtt_url: str = "",
    startup_delay: float = 2.0,
) -> SimulatorHandle:
    """Start the simulator in a daemon thread, posting to `base_url` (or publishing to MQTT).

    For `manage.py demo`: call it before serving; it waits `startup_delay` seconds so that the
    server is listening before the first readings arrive.
    """
    stop = threading.Event()

    def target() -> None:
        from django.db import connection

        try:
            prepared = simulated_devices_prepare(count=devices)
        finally:
            connection.close()
        if stop.wait(startup_delay):
            return
        transport: Transport = MqttTransport(mqtt_url) if mqtt_url else HttpTransport(base_url)
        Simulator(devices=prepared, transport=transport, interval=interval).run(stop=stop)

    thread = threading.Thread(target=target, name="sensor-simulator", daemon=True)
    thread.start()
    return SimulatorHandle(thread=thread, stop_event=stop)
