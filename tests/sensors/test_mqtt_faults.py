"""`mqtt_ingest` killed mid-stream: what the broker acknowledged is stored exactly once.

Devices publish small messages as fast as they can to a broker of the test's own (started from
deploy/mosquitto.conf) while two ingest processes share them; the whole ingest is killed with
SIGKILL in the middle, then started again with the same client ids. Every message the broker
acknowledged to its device must end up stored, and none twice: the readings, and the rollups
that count them, match what was acknowledged exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from sensors.models import HourRollup, Metric, MinuteRollup, Reading
from sensors.services import device_credential_issue
from tests.conftest import requires_postgres
from tests.sensors.brokers import MOSQUITTO, ROOT, free_port, start_broker, wait_for
from tests.sensors.factories import DeviceFactory

DEVICES = 100
MESSAGES = 3_000


def ingest_command(*, url: str, client_id: str, group: str, log: Path) -> subprocess.Popen[bytes]:
    """`manage.py mqtt_ingest --processes 2` on the test database, in a process group of its own."""
    database = settings.DATABASES["default"]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "MQTT_URL"}
    }
    env.update(
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        MQTT_URL=url,
        DJANGO_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(  # noqa: S603 - this interpreter running this project's manage.py.
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "mqtt_ingest",
            "--processes",
            "2",
            "--client-id",
            client_id,
            "--group",
            group,
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def subscribed(log: Path, times: int) -> bool:
    return log.read_text().count("Subscribed as") >= times


class Publisher:
    """Devices publishing their messages with QoS 1, as fast as the broker takes them."""

    def __init__(self, port: int, messages: list[tuple[str, str]]) -> None:
        self.messages = messages
        self.sent: list[mqtt.MQTTMessageInfo] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4()}")
        self.client.max_inflight_messages_set(500)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.done = threading.Event()

    def run(self) -> None:
        self.sent = [self.client.publish(topic, payload, qos=1) for topic, payload in self.messages]
        for info in self.sent:
            info.wait_for_publish(120)
        self.done.set()

    def acknowledged(self) -> list[int]:
        """The messages whose PUBACK came back from the broker."""
        return [number for number, info in enumerate(self.sent) if info.is_published()]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.mark.services
@requires_postgres
@pytest.mark.skipif(not os.path.exists(MOSQUITTO), reason="needs the mosquitto program")
@pytest.mark.django_db(transaction=True)
def test_a_killed_ingest_loses_and_doubles_nothing_the_broker_acknowledged(
    tmp_path: Path,
) -> None:
    port = free_port()
    broker = start_broker(tmp_path, port)
    url = f"mqtt://127.0.0.1:{port}"
    client_id, group = f"test-kill-{uuid.uuid4()}", f"test-{uuid.uuid4()}"
    log = tmp_path / "ingest.log"
    devices = [DeviceFactory.create(name=f"gwanak-gu-station-{n:03d}") for n in range(DEVICES)]
    tokens = [device_credential_issue(device=device)[1] for device in devices]
    metrics = list(Metric.objects.values_list("code", "min_value", "max_value"))
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    messages = []
    for number in range(MESSAGES):
        device = number % DEVICES
        when = (start + dt.timedelta(seconds=number // DEVICES)).isoformat()
        readings = [
            {"metric": code, "time": when, "value": low + (high - low) * ((number % 7) / 50)}
            for code, low, high in metrics
        ]
        messages.append(
            (
                f"devices/{devices[device].pk}/readings",
                json.dumps({"token": tokens[device], "readings": readings}),
            )
        )
    ingest = ingest_command(url=url, client_id=client_id, group=group, log=log)
    publisher: Publisher | None = None
    try:
        assert wait_for(lambda: subscribed(log, 2), attempts=1_200)
        publisher = Publisher(port, messages)
        threading.Thread(target=publisher.run, daemon=True).start()
        assert wait_for(lambda: Reading.objects.count() >= 3_000, attempts=2_400)

        os.killpg(ingest.pid, signal.SIGKILL)
        ingest.wait(10)
        killed_at = Reading.objects.count()
        assert publisher.done.wait(180)
        acknowledged = publisher.acknowledged()

        ingest = ingest_command(url=url, client_id=client_id, group=group, log=log)
        expected = MESSAGES * len(metrics)
        assert wait_for(lambda: Reading.objects.count() >= expected, attempts=6_000)
    finally:
        if publisher is not None:
            publisher.close()
        if ingest.poll() is None:
            os.killpg(ingest.pid, signal.SIGTERM)
            ingest.wait(30)
        broker.terminate()
        broker.wait(10)

    assert killed_at < expected  # The ingest really was killed mid-stream.
    assert Reading.objects.count() == expected
    stored = set(Reading.objects.values_list("device_id", "metric__code", "time"))
    assert len(acknowledged) == MESSAGES
    for number in acknowledged:
        device = devices[number % DEVICES].pk
        moment = start + dt.timedelta(seconds=number // DEVICES)
        assert {(device, code, moment) for code, _low, _high in metrics} <= stored
    # Counted once in the rollups too: a message stored again after the restart adds nothing.
    assert MinuteRollup.objects.aggregate(total=Sum("count"))["total"] == expected
    assert HourRollup.objects.aggregate(total=Sum("count"))["total"] == expected
