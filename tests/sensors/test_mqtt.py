"""MQTT ingest against the real Mosquitto: published readings are stored, rejections reported."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast
from unittest.mock import ANY
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from sensors.models import Device, Reading
from sensors.mqtt import MqttIngest, handle_message
from sensors.mqtt_wire import Message, Session
from tests.conftest import requires_mqtt
from tests.sensors.brokers import (
    MOSQUITTO,
    forget_session,
    free_port,
    isolated_ingest,
    start_broker,
    wait_for,
)


def reading(value: float = 21.0, seconds_ago: int = 0) -> dict[str, Any]:
    moment = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return {"metric": "pm25", "time": moment.isoformat(), "value": value}


@pytest.fixture
def publisher() -> Iterator[mqtt.Client]:
    parts = urlsplit(settings.MQTT_URL)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-device-{uuid.uuid4()}")
    client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


def start_ingest(ingest: MqttIngest) -> MqttIngest:
    ingest.start()
    assert ingest.subscribed.wait(10)
    return ingest


def again(ingest: MqttIngest) -> MqttIngest:
    """A new subscriber with the same client id and group: the same process, restarted."""
    return MqttIngest(url=settings.MQTT_URL, client_id=ingest.client_id, group=ingest.group)


@requires_mqtt
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_tasks")
def test_a_published_batch_is_stored_and_a_rejected_reading_is_reported(
    public_device: Device, device_token: str, publisher: mqtt.Client
) -> None:
    errors: queue.Queue[dict[str, Any]] = queue.Queue()
    publisher.on_message = lambda client, userdata, message: errors.put(json.loads(message.payload))
    publisher.subscribe(f"devices/{public_device.pk}/errors", qos=1)
    ingest = start_ingest(isolated_ingest(settings.MQTT_URL))
    try:
        envelope = {
            "token": device_token,
            "readings": [reading(), {"metric": "radon", "time": "x", "value": 1}],
        }
        publisher.publish(
            f"devices/{public_device.pk}/readings", json.dumps(envelope), qos=1
        ).wait_for_publish(5)

        report = errors.get(timeout=10)
        assert wait_for(lambda: Reading.objects.filter(device=public_device).exists())
    finally:
        ingest.stop()
        forget_session(settings.MQTT_URL, ingest.client_id)
    assert report == {
        "accepted": 1,
        "rejected": [
            {"index": 1, "code": "unknown_metric", "reason": report["rejected"][0]["reason"]}
        ],
    }
    assert Reading.objects.get(device=public_device).value == 21.0


@requires_mqtt
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_tasks")
def test_messages_published_while_the_ingest_is_away_are_delivered_when_it_returns(
    public_device: Device, device_token: str, publisher: mqtt.Client
) -> None:
    first = start_ingest(isolated_ingest(settings.MQTT_URL))
    first.stop()

    envelope = {"token": device_token, "readings": [reading(1, 2), reading(2, 1)]}
    publisher.publish(
        f"devices/{public_device.pk}/readings", json.dumps(envelope), qos=1
    ).wait_for_publish(5)
    ingest = start_ingest(again(first))
    try:
        assert wait_for(lambda: Reading.objects.filter(device=public_device).count() == 2)
    finally:
        ingest.stop()
        # Leave no persistent session behind on the broker.
        forget_session(settings.MQTT_URL, ingest.client_id)


def publish_once(port: int, topic: str, payload: str) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-device-{uuid.uuid4()}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.publish(topic, payload, qos=1).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()


@requires_mqtt
@pytest.mark.skipif(not os.path.exists(MOSQUITTO), reason="needs the mosquitto program")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_tasks")
def test_the_ingest_reconnects_when_the_broker_restarts(
    public_device: Device, device_token: str, tmp_path: Path
) -> None:
    port = free_port()
    topic = f"devices/{public_device.pk}/readings"
    broker = start_broker(tmp_path, port)
    ingest = MqttIngest(url=f"mqtt://127.0.0.1:{port}", client_id=f"test-{uuid.uuid4()}")
    ingest.start()
    try:
        assert ingest.subscribed.wait(10)
        publish_once(port, topic, json.dumps({"token": device_token, "readings": reading(1, 2)}))
        assert wait_for(lambda: Reading.objects.filter(device=public_device).count() == 1)

        broker.terminate()
        broker.wait(10)
        assert wait_for(lambda: not ingest.subscribed.is_set())
        broker = start_broker(tmp_path, port)

        assert ingest.subscribed.wait(20)
        publish_once(port, topic, json.dumps({"token": device_token, "readings": reading(2, 1)}))
        assert wait_for(lambda: Reading.objects.filter(device=public_device).count() == 2)
        assert not ingest.failed.is_set()
    finally:
        ingest.stop()
        broker.terminate()
        broker.wait(10)


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"{nope", "malformed_json"),
        (b'{"readings": []}', "missing_token"),
        (b'{"token": "forged", "readings": []}', "invalid_token"),
    ],
)
def test_a_message_without_a_good_token_is_refused_whole(
    public_device: Device, payload: bytes, code: str
) -> None:
    report = handle_message(f"devices/{public_device.pk}/readings", payload)

    assert report is not None
    assert report["error"]["code"] == code
    assert not Reading.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_a_device_cannot_publish_on_another_devices_topic(
    public_device: Device,
    device_token: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    payload = json.dumps({"token": device_token, "readings": reading()}).encode()

    with django_capture_on_commit_callbacks(execute=True):
        refused = handle_message(f"devices/{public_device.pk + 1}/readings", payload)
        accepted = handle_message(f"devices/{public_device.pk}/readings", payload)

    assert refused is not None
    assert refused["error"]["code"] == "wrong_device"
    assert accepted is None
    assert Reading.objects.filter(device=public_device).count() == 1


class FakeBrokerClient:
    """Stands in for the MQTT session: records what the ingest acknowledges and publishes."""

    def __init__(self) -> None:
        self.acked: list[int] = []
        self.published: list[tuple[str, dict[str, Any]]] = []
        self.disconnected = False
        self.flushed = 0

    def ack(self, mid: int, qos: int, connection: int | None = None) -> None:
        self.acked.append(mid)

    def publish(self, topic: str, payload: bytes, qos: int) -> None:
        self.published.append((topic, json.loads(payload)))

    def flush(self) -> None:
        self.flushed += 1

    def disconnect(self) -> None:
        self.disconnected = True


def deliver(monkeypatch: pytest.MonkeyPatch, failure: Exception) -> FakeBrokerClient:
    def fail(messages: object) -> None:
        raise failure

    monkeypatch.setattr("sensors.mqtt.handle_messages", fail)
    monkeypatch.setattr("sensors.mqtt.RETRY_WAITS", ())
    ingest = MqttIngest(url="mqtt://127.0.0.1:1883", client_id=f"test-{uuid.uuid4()}")
    message = Message("devices/12/readings", b"{}", mid=7, qos=1)
    broker = FakeBrokerClient()
    # The fake has just the methods the ingest calls on the session.
    ingest.process(cast(Session, broker), [message])
    return broker


@pytest.mark.django_db
def test_a_message_that_fails_for_a_bug_is_reported_and_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = deliver(monkeypatch, ValueError("unexpected"))

    assert broker.acked == [7]
    assert broker.published == [
        ("devices/12/errors", {"error": {"status": 500, "code": "internal_error", "message": ANY}})
    ]
    assert not broker.disconnected


@pytest.mark.django_db
def test_a_message_the_database_cannot_take_stays_unacknowledged(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.DATABASE_RETRY_AFTER = 7
    broker = deliver(monkeypatch, OperationalError("the database is away"))

    assert broker.acked == []
    # The device hears that its message waits with the broker, and when to expect the ingest.
    assert broker.published == [
        (
            "devices/12/errors",
            {"error": {"status": 503, "code": "unavailable", "message": ANY, "retry_after": 7}},
        )
    ]
    assert broker.disconnected
