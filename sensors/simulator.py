"""A simulated city of devices that send readings the way real ones do, over HTTP or MQTT.

Values follow Seoul's rhythm (`sensors.synthetic`, the model the demo's history uses too), each
device's wandering smoothly from one reading to the next. As on real days, dust events are rare
and regional: a few a day across the city, each lifting fine dust over one to three districts
for a few hours, while the rest of the city stays good or moderate. Devices drop out for a few
minutes and come back. The simulator talks to the portal exactly as devices do, with their own
tokens, so everything downstream (validation, storage, rollups, alerts, live feeds) runs for real.
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
from datetime import UTC, datetime
from http.client import HTTPConnection, HTTPSConnection
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.db import transaction

from portal.models import District
from sensors.models import Device, DeviceCredential
from sensors.services.credentials import device_credential_issue, device_credentials_revoke
from sensors.synthetic import (
    DUST_EVENTS_PER_DAY,
    DUST_METRICS,
    KIND_METRICS,
    DustEvent,
    dust_event_draw,
    reading_value,
    wander_step,
)

logger = logging.getLogger(__name__)


@dataclass
class SimulatedDevice:
    """One device's identity, token and the state that makes its values wander smoothly."""

    id: int
    name: str
    metrics: list[str]
    token: str
    # The slug of the device's district, which places it in or out of a dust event.
    district: str = ""
    bias: float = 0.0
    drift: dict[str, float] = field(default_factory=dict)
    offline_until: float = 0.0


@dataclass
class DustCloud:
    """A dust event over some districts, in the simulator's clock (seconds)."""

    districts: frozenset[str]
    event: DustEvent
    # The simulator's clock at the event's hour 0.
    origin: float

    def dust_at(self, moment: float, district: str) -> float:
        if district not in self.districts:
            return 1.0
        return self.event.dust_at((moment - self.origin) / 3600)

    def over_at(self, moment: float) -> bool:
        return (moment - self.origin) / 3600 >= self.event.end


@dataclass
class Weather:
    """Conditions shared by the devices: the dust events going on, and when they were looked at."""

    clouds: list[DustCloud] = field(default_factory=list)
    checked_at: float | None = None


def value_at(
    metric: str, moment: datetime, *, device: SimulatedDevice, dust: float, rng: random.Random
) -> float:
    """A plausible reading of `metric` at `moment`, moving smoothly from the device's last one."""
    wander = wander_step(device.drift.get(metric, 0.0), rng)
    device.drift[metric] = wander
    return reading_value(metric, moment, bias=device.bias, wander=wander, dust=dust)


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
        dust_per_day: float = DUST_EVENTS_PER_DAY,
        now: Callable[[], float] = clock.time,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.devices = devices
        self.transport = transport
        self.interval = interval
        self.rng = random.Random(seed)  # noqa: S311 - simulated values, not secrets.
        self.dropout_chance = dropout_chance
        self.dust_per_day = dust_per_day
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
        dust = self.dust_factor(moment, device.district)
        return [
            {
                "metric": metric,
                "time": when.isoformat(timespec="milliseconds"),
                "value": value_at(
                    metric,
                    when,
                    device=device,
                    dust=dust if metric in DUST_METRICS else 1.0,
                    rng=self.rng,
                ),
            }
            for metric in device.metrics
        ]

    def dust_factor(self, moment: float, district: str) -> float:
        """How many times fine dust is lifted over `district` at `moment` (1.0: not at all)."""
        self._weather_update(moment)
        factor = 1.0
        for cloud in self.weather.clouds:
            factor = max(factor, cloud.dust_at(moment, district))
        return factor

    def _weather_update(self, moment: float) -> None:
        """Clear the dust events that are over; perhaps start one.

        Events start at random moments, `dust_per_day` a day on average (a Poisson process),
        whatever the number of devices or how often they send.
        """
        weather = self.weather
        elapsed = 0.0 if weather.checked_at is None else moment - weather.checked_at
        if weather.checked_at is not None and elapsed <= 0:
            return
        weather.checked_at = moment
        weather.clouds = [cloud for cloud in weather.clouds if not cloud.over_at(moment)]
        chance = 1 - math.exp(-self.dust_per_day * elapsed / 86_400)
        if chance > 0 and self.rng.random() < chance:
            self.start_dust_event(districts=self._dust_districts(), at=moment)

    def _dust_districts(self) -> frozenset[str]:
        """One to three of the devices' districts, where a new dust event settles."""
        districts = sorted({device.district for device in self.devices})
        return frozenset(self.rng.sample(districts, k=min(len(districts), self.rng.randint(1, 3))))

    def start_dust_event(
        self,
        *,
        minutes: float | None = None,
        factor: float | None = None,
        districts: frozenset[str] | None = None,
        at: float | None = None,
    ) -> DustCloud:
        """Lift fine dust over `districts` (by default one to three of the devices') from `at`.

        By default it lasts two to six hours, building up over the first and clearing over the
        last, at two to three times the usual; `minutes` and `factor` say otherwise.
        """
        start = self.now() if at is None else at
        event = dust_event_draw(self.rng, start=0.0)
        if minutes is not None:
            event = DustEvent(start=0.0, end=minutes / 60, factor=event.factor)
        if factor is not None:
            event = DustEvent(start=event.start, end=event.end, factor=factor)
        cloud = DustCloud(
            districts=districts if districts is not None else self._dust_districts(),
            event=event,
            origin=start,
        )
        self.weather.clouds.append(cloud)
        self.stats.dust_events += 1
        return cloud

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
        Device.objects.filter(status=Device.Status.ACTIVE, kind__in=list(KIND_METRICS))
        .select_related("district")
        .order_by("pk")[:count]
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
            district=device.district.slug,
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
