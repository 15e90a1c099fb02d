"""Live feeds over WebSockets: snapshot, new readings, coalescing, alerts and who may listen."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import types
import urllib.request
import uuid
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import channels.layers
import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from pytest_django import Settings
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as connect_ws
from websockets.typing import Origin

from pilots.models import Pilot
from pilots.services import enrolment_withdraw
from portal.models import User
from sensors.live import hub as live_hub
from sensors.live.messages import Feed, alert_payload, city_group, feed_group, reading_message
from sensors.live.push import push_alerts, push_readings
from sensors.models import Alert, Device
from sensors.simulator import mqtt_payload
from tests.conftest import requires_mqtt, requires_postgres, requires_redis
from tests.pilots.factories import join
from tests.portal.factories import UserFactory, district
from tests.sensors.factories import DeviceFactory, ReadingFactory, metric
from tests.sensors.live_server import asgi_server_fixture, worker_fixture  # noqa: F401

if TYPE_CHECKING:
    from asgiref.typing import ASGI3Application
    from celery.worker import WorkController

    from tests.sensors.conftest import AsUser

pytestmark = pytest.mark.django_db(transaction=True)

NOON = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


def message_for(
    device: Device, value: float, *, minutes: int = 0, code: str = "pm25"
) -> dict[str, Any]:
    return reading_message(
        device_id=device.pk,
        metric=code,
        time=(NOON + dt.timedelta(minutes=minutes)).isoformat(),
        value=value,
        latitude=device.latitude,
        longitude=device.longitude,
        district_id=device.district_id,
        pilot_id=device.pilot_id,
        public=device.visibility == Device.Visibility.PUBLIC,
    )


async def connect(app: ASGI3Application, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, path)
    connected, _subprotocol = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def push(*messages: dict[str, Any]) -> None:
    await database_sync_to_async(push_readings)(list(messages))


async def eventually(condition: Callable[[], object], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.01)


@pytest.fixture
def participant(db: None, pilot: Pilot) -> User:
    """A resident taking part in `pilot`, which has private devices."""
    user: User = UserFactory.create(username="participant")
    join(pilot, user)
    return user


async def test_the_city_feed_sends_a_snapshot_then_new_readings(
    as_user: AsUser, public_device: Device
) -> None:
    await database_sync_to_async(ReadingFactory.create)(device=public_device, time=NOON, value=12.0)
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/")

    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert [(r["device"], r["metric"], r["value"]) for r in snapshot["readings"]] == [
        (public_device.pk, "pm25", 12.0)
    ]

    await push(message_for(public_device, 48.5, minutes=1))
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "readings"
    assert [(r["device"], r["value"]) for r in frame["readings"]] == [(public_device.pk, 48.5)]
    await communicator.disconnect()


async def test_the_snapshot_holds_the_newest_value_of_each_metric(
    as_user: AsUser, public_device: Device
) -> None:
    for minutes, value in [(0, 10.0), (5, 30.0), (2, 20.0)]:
        await database_sync_to_async(ReadingFactory.create)(
            device=public_device, time=NOON + dt.timedelta(minutes=minutes), value=value
        )
    await database_sync_to_async(ReadingFactory.create)(
        device=public_device, metric=await database_sync_to_async(metric)("pm10"), value=70.0
    )
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/")

    snapshot = await communicator.receive_json_from(timeout=5)
    assert sorted((r["metric"], r["value"]) for r in snapshot["readings"]) == [
        ("pm10", 70.0),
        ("pm25", 30.0),
    ]
    await communicator.disconnect()


async def test_the_city_feed_leaves_out_private_devices(
    as_user: AsUser, manager: User, public_device: Device, private_device: Device
) -> None:
    await database_sync_to_async(ReadingFactory.create)(device=private_device, time=NOON)
    communicator = await connect(as_user(manager), "/ws/sensors/")
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["readings"] == []

    await push(message_for(private_device, 99.0), message_for(public_device, 11.0))
    frame = await communicator.receive_json_from(timeout=5)
    assert [r["device"] for r in frame["readings"]] == [public_device.pk]
    await communicator.disconnect()


async def test_a_private_devices_feed_is_refused_to_an_outsider(
    as_user: AsUser, outsider: User, private_device: Device
) -> None:
    communicator = await connect(as_user(outsider), f"/ws/sensors/devices/{private_device.pk}/")
    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 4403}


async def test_a_private_devices_feed_is_refused_to_an_anonymous_visitor(
    as_user: AsUser, private_device: Device
) -> None:
    communicator = await connect(
        as_user(AnonymousUser()), f"/ws/sensors/devices/{private_device.pk}/"
    )
    closing = await communicator.receive_output(timeout=5)
    assert closing["code"] == 4403


async def test_a_private_devices_feed_is_open_to_the_pilots_manager(
    as_user: AsUser, manager: User, private_device: Device
) -> None:
    communicator = await connect(as_user(manager), f"/ws/sensors/devices/{private_device.pk}/")
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"

    await push(message_for(private_device, 33.0))
    readings = await communicator.receive_json_from(timeout=5)
    assert [r["value"] for r in readings["readings"]] == [33.0]
    await communicator.disconnect()


async def test_a_private_devices_feed_is_refused_to_another_pilots_manager(
    as_user: AsUser, other_manager: User, private_device: Device
) -> None:
    communicator = await connect(
        as_user(other_manager), f"/ws/sensors/devices/{private_device.pk}/"
    )
    closing = await communicator.receive_output(timeout=5)
    assert closing["code"] == 4403


async def test_a_feed_of_a_device_that_does_not_exist_closes_as_not_found(as_user: AsUser) -> None:
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/devices/999999/")
    closing = await communicator.receive_output(timeout=5)
    assert closing["code"] == 4404


async def test_a_device_feed_sends_every_reading_in_order(
    as_user: AsUser, public_device: Device
) -> None:
    communicator = await connect(
        as_user(AnonymousUser()), f"/ws/sensors/devices/{public_device.pk}/"
    )
    await communicator.receive_json_from(timeout=5)
    for minute in range(5):
        await push(message_for(public_device, float(minute), minutes=minute))

    received: list[float] = []
    while len(received) < 5:
        message = await communicator.receive_json_from(timeout=5)
        received.extend(reading["value"] for reading in message["readings"])
    assert received == [0.0, 1.0, 2.0, 3.0, 4.0]
    await communicator.disconnect()


async def test_the_city_feed_coalesces_a_burst_into_one_frame_with_the_latest_per_device(
    as_user: AsUser, settings: Settings, public_device: Device
) -> None:
    # Frames go out only when the test flushes, so the count below does not depend on timing.
    settings.SENSORS_LIVE_FRAME_SECONDS = 3600
    other = await database_sync_to_async(DeviceFactory.create)(name="gangnam-gu-air-quality-other")
    marker = await database_sync_to_async(DeviceFactory.create)(
        name="gangnam-gu-air-quality-marker"
    )
    city = await connect(as_user(AnonymousUser()), "/ws/sensors/")
    await city.receive_json_from(timeout=5)
    marker_feed = await connect(as_user(AnonymousUser()), f"/ws/sensors/devices/{marker.pk}/")
    await marker_feed.receive_json_from(timeout=5)

    for minute in range(20):
        await push(
            message_for(public_device, 100.0 + minute, minutes=minute),
            message_for(other, 200.0 + minute, minutes=minute),
        )
    # The hub handles batches in order: once the marker arrives, the burst has been buffered.
    await push(message_for(marker, 1.0))
    await marker_feed.receive_json_from(timeout=5)
    assert await city.receive_nothing(timeout=0.2)

    live_hub.get_hub().flush()
    frame = await city.receive_json_from(timeout=5)
    assert sorted((r["device"], r["value"]) for r in frame["readings"]) == sorted(
        [(public_device.pk, 119.0), (other.pk, 219.0), (marker.pk, 1.0)]
    )
    assert await city.receive_nothing(timeout=0.2)
    await city.disconnect()
    await marker_feed.disconnect()


async def test_a_district_feed_carries_only_its_districts_devices(
    as_user: AsUser, public_device: Device
) -> None:
    elsewhere = await database_sync_to_async(DeviceFactory.create)(
        name="mapo-gu-air-quality-01", district=await database_sync_to_async(district)("mapo-gu")
    )
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/districts/gangnam-gu/")
    await communicator.receive_json_from(timeout=5)

    await push(message_for(elsewhere, 5.0), message_for(public_device, 6.0))
    frame = await communicator.receive_json_from(timeout=5)
    assert [r["device"] for r in frame["readings"]] == [public_device.pk]
    await communicator.disconnect()


async def test_a_pilot_feed_shows_private_devices_to_members_only(
    as_user: AsUser, outsider: User, manager: User, pilot: Pilot, private_device: Device
) -> None:
    shared = await database_sync_to_async(DeviceFactory.create)(
        name="gangnam-gu-air-quality-shared", pilot=pilot
    )
    members = await connect(as_user(manager), f"/ws/sensors/pilots/{pilot.slug}/")
    others = await connect(as_user(outsider), f"/ws/sensors/pilots/{pilot.slug}/")
    await members.receive_json_from(timeout=5)
    await others.receive_json_from(timeout=5)

    await push(message_for(private_device, 50.0), message_for(shared, 7.0))
    seen_by_members = await members.receive_json_from(timeout=5)
    seen_by_others = await others.receive_json_from(timeout=5)
    assert sorted(r["device"] for r in seen_by_members["readings"]) == sorted(
        [private_device.pk, shared.pk]
    )
    assert [r["device"] for r in seen_by_others["readings"]] == [shared.pk]
    await members.disconnect()
    await others.disconnect()


async def test_an_unknown_pilots_feed_closes_as_not_found(as_user: AsUser) -> None:
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/pilots/no-such-pilot/")
    closing = await communicator.receive_output(timeout=5)
    assert closing["code"] == 4404


@database_sync_to_async
def _open_alert(device: Device) -> dict[str, Any]:
    alert = Alert.objects.create(
        device=device,
        metric=metric("pm25"),
        rule=Alert.Rule.PM25_VERY_BAD,
        level=Alert.Level.CRITICAL,
        value=91.0,
        message="PM2.5 91 µg/m³",
        opened_at=NOON,
    )
    return alert_payload(Alert.objects.select_related("device", "metric").get(pk=alert.pk))


async def test_an_alert_reaches_the_city_feed_at_once(
    as_user: AsUser, public_device: Device
) -> None:
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/")
    await communicator.receive_json_from(timeout=5)

    payload = await _open_alert(public_device)
    await database_sync_to_async(push_alerts)([payload])
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "alert"
    assert message["alert"]["rule"] == "pm25_very_bad"
    assert message["alert"]["device"] == public_device.pk
    await communicator.disconnect()


async def test_open_alerts_come_with_the_snapshot(as_user: AsUser, public_device: Device) -> None:
    await _open_alert(public_device)
    communicator = await connect(as_user(AnonymousUser()), "/ws/sensors/")
    snapshot = await communicator.receive_json_from(timeout=5)
    assert [alert["level"] for alert in snapshot["alerts"]] == ["critical"]
    await communicator.disconnect()


async def test_a_private_devices_alert_stays_off_the_city_feed(
    as_user: AsUser, manager: User, private_device: Device, public_device: Device
) -> None:
    communicator = await connect(as_user(manager), "/ws/sensors/")
    snapshot = await communicator.receive_json_from(timeout=5)
    await database_sync_to_async(push_alerts)([await _open_alert(private_device)])
    assert snapshot["alerts"] == []
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


def test_a_coalesced_frame_never_goes_back_to_an_older_reading(public_device: Device) -> None:
    coalescer = live_hub.Coalescer()
    bucket = live_hub.Bucket("sensors.city", False, True)
    coalescer.add(bucket, message_for(public_device, 40.0, minutes=5))
    coalescer.add(bucket, message_for(public_device, 10.0, minutes=1))

    (frame,) = coalescer.frames().values()
    assert '"value":40.0' in frame
    assert coalescer.frames() == {}


async def test_a_client_that_falls_behind_is_resynced_instead_of_queued_without_end() -> None:
    subscriber = live_hub.Subscriber(limit=3)
    for number in range(5):
        subscriber.offer(f"frame {number}")
    assert subscriber.needs_snapshot
    assert len(subscriber.outbox) <= 3


# --- Private devices stay private ----------------------------------------------------------


async def test_a_district_feed_leaves_private_devices_out_of_its_snapshot_and_readings(
    as_user: AsUser, manager: User, public_device: Device, private_device: Device
) -> None:
    await database_sync_to_async(ReadingFactory.create)(device=public_device, time=NOON, value=4.0)
    await database_sync_to_async(ReadingFactory.create)(
        device=private_device, time=NOON, value=90.0
    )
    # Even the pilot's manager sees only public devices on a district feed.
    communicator = await connect(as_user(manager), "/ws/sensors/districts/gangnam-gu/")

    snapshot = await communicator.receive_json_from(timeout=5)
    assert [r["device"] for r in snapshot["readings"]] == [public_device.pk]

    await push(message_for(private_device, 95.0, minutes=1), message_for(public_device, 5.0))
    frame = await communicator.receive_json_from(timeout=5)
    assert [r["device"] for r in frame["readings"]] == [public_device.pk]
    await communicator.disconnect()


async def _pilot_with_readings_and_an_alert(pilot: Pilot, private_device: Device) -> Device:
    """A public device of the pilot beside its private one, each with a reading; the private
    one also has an open alert. Returns the public device."""
    shared: Device = await database_sync_to_async(DeviceFactory.create)(
        name="gangnam-gu-air-quality-shared", pilot=pilot
    )
    await database_sync_to_async(ReadingFactory.create)(device=shared, time=NOON)
    await database_sync_to_async(ReadingFactory.create)(device=private_device, time=NOON)
    await _open_alert(private_device)
    return shared


async def test_a_pilot_feeds_snapshot_hides_its_private_devices_from_an_outsider(
    as_user: AsUser, outsider: User, pilot: Pilot, private_device: Device
) -> None:
    shared = await _pilot_with_readings_and_an_alert(pilot, private_device)
    communicator = await connect(as_user(outsider), f"/ws/sensors/pilots/{pilot.slug}/")

    snapshot = await communicator.receive_json_from(timeout=5)

    assert [r["device"] for r in snapshot["readings"]] == [shared.pk]
    assert snapshot["alerts"] == []
    await communicator.disconnect()


async def test_a_pilot_feeds_snapshot_shows_its_private_devices_to_a_participant(
    as_user: AsUser, participant: User, pilot: Pilot, private_device: Device
) -> None:
    shared = await _pilot_with_readings_and_an_alert(pilot, private_device)
    communicator = await connect(as_user(participant), f"/ws/sensors/pilots/{pilot.slug}/")

    snapshot = await communicator.receive_json_from(timeout=5)

    assert sorted(r["device"] for r in snapshot["readings"]) == sorted(
        [shared.pk, private_device.pk]
    )
    assert [alert["device"] for alert in snapshot["alerts"]] == [private_device.pk]
    await communicator.disconnect()


async def test_a_participant_who_withdraws_is_cut_off_from_the_pilots_private_feed(
    as_user: AsUser, settings: Settings, participant: User, pilot: Pilot, private_device: Device
) -> None:
    settings.SENSORS_LIVE_RECHECK_SECONDS = 0.05
    communicator = await connect(as_user(participant), f"/ws/sensors/pilots/{pilot.slug}/")
    await communicator.receive_json_from(timeout=5)

    await database_sync_to_async(enrolment_withdraw)(pilot=pilot, user=participant)

    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 4403}
    # Nothing private reaches the socket once it is closed.
    await push(message_for(private_device, 70.0))
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_a_device_feed_is_cut_off_when_the_device_becomes_private(
    as_user: AsUser, settings: Settings, outsider: User, public_device: Device
) -> None:
    settings.SENSORS_LIVE_RECHECK_SECONDS = 0.05
    communicator = await connect(as_user(outsider), f"/ws/sensors/devices/{public_device.pk}/")
    await communicator.receive_json_from(timeout=5)

    await database_sync_to_async(Device.objects.filter(pk=public_device.pk).update)(
        visibility=Device.Visibility.PRIVATE
    )

    closing = await communicator.receive_output(timeout=5)
    assert closing["code"] == 4403
    await communicator.disconnect()


async def test_a_participant_who_stays_keeps_the_pilots_private_feed(
    as_user: AsUser, settings: Settings, participant: User, pilot: Pilot, private_device: Device
) -> None:
    settings.SENSORS_LIVE_RECHECK_SECONDS = 0.02
    communicator = await connect(as_user(participant), f"/ws/sensors/pilots/{pilot.slug}/")
    await communicator.receive_json_from(timeout=5)

    # Several checks pass while nothing is sent.
    assert await communicator.receive_nothing(timeout=0.2)
    await push(message_for(private_device, 70.0))
    frame = await communicator.receive_json_from(timeout=5)
    assert [r["device"] for r in frame["readings"]] == [private_device.pk]
    await communicator.disconnect()


async def test_a_cached_snapshot_is_read_anew_once_older_than_its_maximum_age(
    as_user: AsUser, public_device: Device
) -> None:
    await database_sync_to_async(ReadingFactory.create)(device=public_device, time=NOON)
    # A socket that stays open keeps the city feed's cached state alive in this process.
    watcher = await connect(as_user(AnonymousUser()), "/ws/sensors/")
    first = await watcher.receive_json_from(timeout=5)
    assert [r["device"] for r in first["readings"]] == [public_device.pk]

    await database_sync_to_async(Device.objects.filter(pk=public_device.pk).update)(
        visibility=Device.Visibility.PRIVATE
    )
    hub = live_hub.get_hub()
    hub.clock = lambda: time.monotonic() + live_hub.snapshot_max_age() + 1
    newcomer = await connect(as_user(AnonymousUser()), "/ws/sensors/")

    snapshot = await newcomer.receive_json_from(timeout=5)
    assert snapshot["readings"] == []
    await watcher.disconnect()
    await newcomer.disconnect()


# --- The hub and the channel layer -----------------------------------------------------------


class FlakyLayer(InMemoryChannelLayer):
    """An in-memory channel layer that fails the next `failures` receives and counts joins."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.failures = 0
        self.joins = 0

    async def receive(self, channel: str) -> Any:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the channel layer's Redis went away")
        return await super().receive(channel)

    async def group_add(self, group: str, channel: str) -> None:
        self.joins += 1
        await super().group_add(group, channel)


def routed_reading(device_id: int, value: float) -> dict[str, Any]:
    return reading_message(
        device_id=device_id,
        metric="pm25",
        time=NOON.isoformat(),
        value=value,
        latitude=37.5,
        longitude=127.0,
        district_id=1,
        pilot_id=None,
        public=True,
    )


async def test_the_hub_keeps_receiving_after_the_channel_layer_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = FlakyLayer()
    layer.failures = 2
    monkeypatch.setattr(live_hub, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(live_hub, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(live_hub, "PING_SECONDS", 0.01)
    hub = live_hub.FeedHub(interval=3600)
    subscriber = live_hub.Subscriber(limit=10)
    bucket = live_hub.Bucket(feed_group(Feed.DEVICE, 7), True, False)
    hub.states[bucket] = live_hub.FeedState(created=hub.clock())
    await hub.subscribe(subscriber, bucket)

    # Joined once at the start, then again after the layer came back.
    await eventually(lambda: layer.joins == 2)
    # What was sent while the layer failed is lost, so the client is resynced from the database.
    assert subscriber.needs_snapshot
    assert bucket not in hub.states

    await layer.group_send(
        city_group(), {"type": "feed.readings", "readings": [routed_reading(7, 12.0)]}
    )
    await eventually(lambda: subscriber.outbox)
    assert json.loads(subscriber.outbox[0])["readings"][0]["value"] == 12.0
    await hub.unsubscribe(subscriber, bucket)


class SilentLayer(InMemoryChannelLayer):
    """An in-memory layer that drops what is sent while `away` without a word, as a Redis pub/sub
    layer does while it reconnects."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.away = False
        self.joins = 0

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        if not self.away:
            await super().send(channel, message)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if not self.away:
            await super().group_send(group, message)

    async def group_add(self, group: str, channel: str) -> None:
        self.joins += 1
        await super().group_add(group, channel)


async def start_hub_on(
    layer: InMemoryChannelLayer, monkeypatch: pytest.MonkeyPatch
) -> tuple[live_hub.FeedHub, live_hub.Subscriber, live_hub.Bucket]:
    monkeypatch.setattr(live_hub, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(live_hub, "PING_SECONDS", 0.01)
    hub = live_hub.FeedHub(interval=3600)
    subscriber = live_hub.Subscriber(limit=10)
    bucket = live_hub.Bucket(feed_group(Feed.DEVICE, 7), True, False)
    await hub.subscribe(subscriber, bucket)
    return hub, subscriber, bucket


async def test_the_hub_resyncs_every_subscriber_once_a_layer_that_dropped_messages_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = SilentLayer()
    hub, subscriber, bucket = await start_hub_on(layer, monkeypatch)
    hub.states[bucket] = live_hub.FeedState(created=hub.clock())

    layer.away = True
    sent = hub.pings
    # A batch sent now is lost without an error anywhere; so are the hub's pings.
    await eventually(lambda: hub.pings > sent + 1)
    assert not subscriber.needs_snapshot
    layer.away = False

    # The first ping back shows that earlier ones were lost: the hub joins its group again and
    # resyncs its subscriber from the database.
    await eventually(lambda: subscriber.needs_snapshot)
    assert layer.joins == 2
    assert bucket not in hub.states
    subscriber.needs_snapshot = False
    await layer.group_send(
        city_group(), {"type": "feed.readings", "readings": [routed_reading(7, 14.0)]}
    )
    await eventually(lambda: subscriber.outbox)
    assert not subscriber.needs_snapshot
    await hub.unsubscribe(subscriber, bucket)


class DeafLayer(InMemoryChannelLayer):
    """An in-memory layer that takes everything sent to the channels in `deaf_to` and delivers
    none of it, as a pub/sub layer whose receiver never subscribed again after Redis restarted;
    a new channel is subscribed afresh."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.deaf_to: set[str] = set()

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        if channel not in self.deaf_to:
            await super().send(channel, message)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        for channel in list(self.groups.get(group, {})):
            await self.send(channel, message)


async def test_the_hub_listens_on_a_new_channel_when_its_pings_stay_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = DeafLayer()
    hub, subscriber, bucket = await start_hub_on(layer, monkeypatch)
    monkeypatch.setattr(live_hub, "PING_TIMEOUT_SECONDS", 0.1)
    monkeypatch.setattr(live_hub, "REBUILD_SECONDS", 0.2)
    first = hub.channel_name
    hub.states[bucket] = live_hub.FeedState(created=hub.clock())

    assert first is not None
    layer.deaf_to = {first}

    # Pings go out and never come back: the hub moves to a new channel, and once pings come
    # back on it, resyncs its subscriber from the database.
    await eventually(lambda: subscriber.needs_snapshot)
    assert hub.channel_name != first
    assert hub.layer_ok
    subscriber.needs_snapshot = False
    await layer.group_send(
        city_group(), {"type": "feed.readings", "readings": [routed_reading(7, 15.0)]}
    )
    await eventually(lambda: subscriber.outbox)
    assert json.loads(subscriber.outbox[0])["readings"][0]["value"] == 15.0
    await hub.unsubscribe(subscriber, bucket)


async def test_the_hub_resyncs_when_the_pubsub_layers_receiver_reports_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Redis pub/sub layer says so only in its log, and every ping may still come back.
    layer = SilentLayer()
    monkeypatch.setattr(live_hub, "_hubs", weakref.WeakKeyDictionary())
    monkeypatch.setattr(live_hub, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(live_hub, "PING_SECONDS", 0.01)
    hub = live_hub.get_hub()
    subscriber = live_hub.Subscriber(limit=10)
    bucket = live_hub.Bucket(feed_group(Feed.DEVICE, 7), True, False)
    await hub.subscribe(subscriber, bucket)
    await eventually(lambda: hub.pings >= 3)
    assert not subscriber.needs_snapshot

    try:
        raise ConnectionError("Connection closed by server.")
    except ConnectionError:
        logging.getLogger(live_hub.PUBSUB_LOGGER).exception(live_hub.PUBSUB_RECEIVE_FAILED)

    await eventually(lambda: subscriber.needs_snapshot)
    assert hub.layer_ok
    await hub.unsubscribe(subscriber, bucket)


async def test_the_hub_leaves_its_subscribers_alone_while_every_ping_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = SilentLayer()
    hub, subscriber, bucket = await start_hub_on(layer, monkeypatch)

    await eventually(lambda: hub.pings >= 10)

    assert hub.layer_ok
    assert not subscriber.needs_snapshot
    assert layer.joins == 1
    await hub.unsubscribe(subscriber, bucket)


async def test_the_hub_joins_its_group_again_before_the_layer_forgets_it(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    # The layer's clock, moved on by hand; the hub's own timers run on the event loop's.
    now = [1_000_000.0]
    monkeypatch.setattr(channels.layers, "time", types.SimpleNamespace(time=lambda: now[0]))
    layer = FlakyLayer(group_expiry=86400)
    monkeypatch.setattr(live_hub, "get_channel_layer", lambda: layer)
    settings.SENSORS_LIVE_GROUP_REFRESH_SECONDS = 0.01
    hub = live_hub.FeedHub(interval=3600)
    subscriber = live_hub.Subscriber(limit=10)
    bucket = live_hub.Bucket(feed_group(Feed.DEVICE, 7), True, False)
    await hub.subscribe(subscriber, bucket)

    now[0] += 2 * 86400
    joins = layer.joins
    await eventually(lambda: layer.joins > joins)
    await layer.group_send(
        city_group(), {"type": "feed.readings", "readings": [routed_reading(7, 13.0)]}
    )

    await eventually(lambda: subscriber.outbox)
    await hub.unsubscribe(subscriber, bucket)


# --- A real client against a real server ------------------------------------------------------


def receive_value(socket_: ClientConnection, value: float) -> dict[str, Any]:
    """Read feed messages until a reading with `value` arrives; bounded by the socket timeout."""
    for _message in range(200):
        message = json.loads(socket_.recv(timeout=20))
        for reading in message.get("readings", []):
            if message["type"] == "readings" and reading["value"] == value:
                return dict(reading)
    raise AssertionError(f"no reading of {value} arrived")


def now_reading(value: float) -> dict[str, Any]:
    return {"metric": "pm25", "time": dt.datetime.now(tz=dt.UTC).isoformat(), "value": value}


@requires_postgres
@requires_redis
def test_a_real_websocket_client_receives_a_reading_posted_over_http(
    asgi_server: str, worker: WorkController | None, public_device: Device, device_token: str
) -> None:
    with connect_ws(
        f"ws://{asgi_server}/ws/sensors/devices/{public_device.pk}/",
        origin=Origin(f"http://{asgi_server}"),
        open_timeout=20,
    ) as socket_:
        assert json.loads(socket_.recv(timeout=20))["type"] == "snapshot"
        request = urllib.request.Request(
            f"http://{asgi_server}/api/sensors/readings",
            data=json.dumps([now_reading(42.5)]).encode(),
            headers={"Authorization": f"Token {device_token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - localhost.
            assert json.load(response)["accepted"] == 1

        reading = receive_value(socket_, 42.5)

    assert reading["device"] == public_device.pk


@requires_postgres
@requires_redis
@requires_mqtt
def test_a_real_websocket_client_receives_a_reading_published_over_mqtt(
    asgi_server: str, worker: WorkController | None, public_device: Device, device_token: str
) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from tests.sensors.brokers import forget_session, isolated_ingest

    ingest = isolated_ingest(settings.MQTT_URL)
    ingest.start()
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-dev-{uuid.uuid4()}")
    parts = urlsplit(settings.MQTT_URL)
    publisher.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
    publisher.loop_start()
    try:
        assert ingest.subscribed.wait(10)
        with connect_ws(
            f"ws://{asgi_server}/ws/sensors/",
            origin=Origin(f"http://{asgi_server}"),
            open_timeout=20,
        ) as socket_:
            assert json.loads(socket_.recv(timeout=20))["type"] == "snapshot"
            published = publisher.publish(
                f"devices/{public_device.pk}/readings",
                mqtt_payload(device_token, [now_reading(61.5)]),
                qos=1,
            )
            published.wait_for_publish(10)

            reading = receive_value(socket_, 61.5)
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        ingest.stop()
        forget_session(settings.MQTT_URL, ingest.client_id)

    assert reading["device"] == public_device.pk
