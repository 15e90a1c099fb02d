"""Live feeds through a restart of the channel layer's Redis: every open feed heals.

The test runs a redis-server of its own, so that restarting it disturbs no other test or process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from pytest_django import Settings

from sensors.models import Device
from sensors.services.credentials import device_credential_issue
from tests.sensors.factories import DeviceFactory

if TYPE_CHECKING:
    from tests.sensors.conftest import AsUser

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="needs the redis-server program"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]

FEEDS = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server on a free port that keeps nothing on disk, so a restart forgets all."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed program on a local port.
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@database_sync_to_async
def devices_with_tokens(count: int) -> list[tuple[Device, str]]:
    made = []
    for _number in range(count):
        device: Device = DeviceFactory.create()
        _credential, token = device_credential_issue(device=device)
        made.append((device, token))
    return made


@database_sync_to_async
def post_reading(token: str, value: float) -> None:
    """Send one reading over HTTP as a device does; the feeds get it once it is processed."""
    body = [{"metric": "pm25", "time": dt.datetime.now(tz=dt.UTC).isoformat(), "value": value}]
    response = Client().post(
        "/api/sensors/readings",
        data=json.dumps(body),
        content_type="application/json",
        headers={"authorization": f"Token {token}"},
    )
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == 1


async def messages_until_value(feed: WebsocketCommunicator, value: float) -> list[dict[str, Any]]:
    """What a feed sends up to and including the readings frame that carries `value`."""
    received: list[dict[str, Any]] = []
    for _message in range(20):
        message = await feed.receive_json_from(timeout=10)
        received.append(message)
        if message["type"] == "readings" and value in [r["value"] for r in message["readings"]]:
            return received
    raise AssertionError(f"no reading of {value} arrived; got {received}")


async def open_device_feeds(
    as_user: AsUser, devices: list[tuple[Device, str]]
) -> list[WebsocketCommunicator]:
    """A feed of each device, past its first snapshot and one reading that went through."""
    feeds = []
    for device, _token in devices:
        feed = WebsocketCommunicator(as_user(AnonymousUser()), f"/ws/sensors/devices/{device.pk}/")
        connected, _subprotocol = await feed.connect(timeout=5)
        assert connected
        feeds.append(feed)
        assert (await feed.receive_json_from(timeout=5))["type"] == "snapshot"
    for _device, token in devices:
        await post_reading(token, 1.0)
    for feed in feeds:
        assert [m["type"] for m in await messages_until_value(feed, 1.0)] == ["readings"]
    return feeds


async def close(feeds: list[WebsocketCommunicator]) -> None:
    """Disconnect every feed. A feed whose receive timed out was cancelled by the communicator:
    disconnecting it would raise that cancellation and hide the assertion that failed."""
    for feed in feeds:
        if not feed.future.done():
            await feed.disconnect()


def values(message: dict[str, Any]) -> list[tuple[int, float]]:
    return [(reading["device"], reading["value"]) for reading in message["readings"]]


LAYERS = ["channels_redis.pubsub.RedisPubSubChannelLayer", "channels_redis.core.RedisChannelLayer"]


async def resync_then_value(
    feed: WebsocketCommunicator, device: Device, value: float
) -> list[dict[str, Any]]:
    """What a feed sends until it has sent a fresh snapshot and shows `value` for `device`.

    The page keeps what the last snapshot or reading said, so that is what the client sees.
    """
    received: list[dict[str, Any]] = []
    shown: float | None = None
    while not (any(m["type"] == "snapshot" for m in received) and shown == value):
        if len(received) >= 20:
            raise AssertionError(f"the feed never showed {value} after a snapshot: {received}")
        try:
            message = await feed.receive_json_from(timeout=20)
        except TimeoutError:
            raise AssertionError(
                f"the feed went quiet before showing {value} after a snapshot: {received}"
            ) from None
        received.append(message)
        if message["type"] in {"snapshot", "readings"}:
            for reading_device, reading_value in values(message):
                if reading_device == device.pk:
                    shown = reading_value
    return received


@pytest.mark.parametrize("backend", LAYERS)
async def test_every_open_device_feed_is_resynced_then_goes_on_after_the_layers_redis_restarts(
    as_user: AsUser, settings: Settings, own_redis: RedisServer, backend: str
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": backend, "CONFIG": {"hosts": [own_redis.url]}}
    }
    devices = await devices_with_tokens(FEEDS)
    feeds = await open_device_feeds(as_user, devices)
    try:
        own_redis.stop()
        own_redis.start()
        # A device reports a few seconds after the layer is back, as the outage report saw.
        await asyncio.sleep(3)
        for _device, token in devices:
            await post_reading(token, 3.0)

        for (device, _token), feed in zip(devices, feeds, strict=True):
            # Every feed is sent a fresh snapshot once the layer is back, and ends showing the
            # reading sent after the restart: through the readings frame, or through the
            # snapshot if the snapshot was read after the reading was stored. No feed keeps
            # showing the value from before the outage.
            received = await resync_then_value(feed, device, 3.0)
            snapshot = next(m for m in received if m["type"] == "snapshot")
            assert snapshot["feed"] == "device"
            assert {d for d, _v in values(snapshot)} == {device.pk}
    finally:
        await close(feeds)


@pytest.mark.parametrize("backend", LAYERS)
async def test_readings_accepted_while_the_layers_redis_is_down_reach_every_feeds_snapshot(
    as_user: AsUser, settings: Settings, own_redis: RedisServer, backend: str
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": backend, "CONFIG": {"hosts": [own_redis.url]}}
    }
    devices = await devices_with_tokens(FEEDS)
    feeds = await open_device_feeds(as_user, devices)
    try:
        own_redis.stop()
        # Stored, but no feed can be sent these while the layer is away.
        for _device, token in devices:
            await post_reading(token, 2.0)
        own_redis.start()

        for (device, _token), feed in zip(devices, feeds, strict=True):
            snapshot = await feed.receive_json_from(timeout=10)
            assert snapshot["type"] == "snapshot"
            assert values(snapshot) == [(device.pk, 2.0)]
            assert await feed.receive_nothing(timeout=0.1)
    finally:
        await close(feeds)
