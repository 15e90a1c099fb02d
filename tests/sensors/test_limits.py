"""Ingest limits, from the abuser's side: a device that sends too much, an address that guesses.

The HTTP tests run through the portal's ASGI application (`sensors.ingest_asgi`, the group
commit) and through Django's handler (the DRF view, as under WSGI); the MQTT ones through the
subscriber's own handling. The device limit is also shown exact across two processes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from sensors.models import Device, DeviceCredential, Reading
from sensors.mqtt import MqttIngest, handle_message
from sensors.mqtt_wire import Message, Session
from sensors.services import device_credential_issue
from tests.conftest import requires_postgres
from tests.sensors.asgi import Answered
from tests.sensors.factories import DeviceFactory
from tests.sensors.test_ingest import Send
from tests.sensors.test_ingest import send as send
from tests.sensors.test_mqtt import FakeBrokerClient

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/api/sensors/readings"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.usefixtures("eager_tasks")]


# One moment for every test's readings, so that two calls never give two readings one time.
BASE = timezone.now().replace(microsecond=0)


def readings(count: int, *, start: int = 0) -> list[dict[str, object]]:
    """`count` readings of one metric, a second apart, from `start` seconds before BASE back."""
    return [
        {"metric": "pm25", "time": (BASE - dt.timedelta(seconds=start + i)).isoformat(), "value": 1}
        for i in range(count)
    ]


def retry_after(response: TestResponse | Answered) -> int:
    if isinstance(response, Answered):
        return int(response.headers[b"retry-after"])
    return int(response["Retry-After"])


# --- Readings per device ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_device_past_its_readings_a_minute_is_answered_429_with_retry_after(
    send: Send, settings: Settings, device_token: str, public_device: Device
) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    # Early in a minute, so that the three sends share it.
    Device.objects.filter(pk=public_device.pk).update(ingest_minute=None, ingest_count=0)

    first = send(device_token, readings(10))
    second = send(device_token, readings(10, start=10))
    refused = send(device_token, readings(1, start=20))

    assert first.status_code == second.status_code == 202
    if Device.objects.get(pk=public_device.pk).ingest_count != 20:
        pytest.skip("the minute turned between the sends")  # pragma: no cover
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "20 readings a minute" in error["message"]
    assert 1 <= retry_after(refused) <= 60
    assert Reading.objects.filter(device=public_device).count() == 20


@pytest.mark.django_db
def test_a_send_that_would_pass_the_limit_is_refused_whole_and_not_counted(
    send: Send, settings: Settings, device_token: str, public_device: Device
) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    minute = timezone.now().replace(second=0, microsecond=0)
    Device.objects.filter(pk=public_device.pk).update(ingest_minute=minute, ingest_count=15)

    refused = send(device_token, readings(6))
    fits = send(device_token, readings(5))

    if Device.objects.get(pk=public_device.pk).ingest_minute != minute:
        pytest.skip("the minute turned between the sends")  # pragma: no cover
    assert refused.status_code == 429
    assert fits.status_code == 202
    assert fits.json()["accepted"] == 5
    assert Device.objects.get(pk=public_device.pk).ingest_count == 20


@pytest.mark.django_db
def test_the_count_starts_again_in_the_next_minute(
    send: Send, settings: Settings, device_token: str, public_device: Device
) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    last_minute = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    Device.objects.filter(pk=public_device.pk).update(ingest_minute=last_minute, ingest_count=20)

    response = send(device_token, readings(20))

    assert response.status_code == 202
    assert response.json()["accepted"] == 20


@pytest.mark.django_db
def test_one_device_at_its_limit_does_not_hold_back_another(
    send: Send, settings: Settings, device_token: str, public_device: Device
) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    minute = timezone.now().replace(second=0, microsecond=0)
    Device.objects.filter(pk=public_device.pk).update(ingest_minute=minute, ingest_count=20)
    other = DeviceFactory.create(name="another-station")
    _credential, other_token = device_credential_issue(device=other)

    assert send(other_token, readings(20)).status_code == 202


@pytest.mark.django_db
def test_no_limit_when_the_setting_is_zero(
    send: Send, settings: Settings, device_token: str, public_device: Device
) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 0
    minute = timezone.now().replace(second=0, microsecond=0)
    Device.objects.filter(pk=public_device.pk).update(ingest_minute=minute, ingest_count=10**6)

    assert send(device_token, readings(50)).status_code == 202


@pytest.mark.django_db
def test_over_mqtt_a_device_past_its_limit_gets_an_error_report_with_retry_after(
    settings: Settings,
    device_token: str,
    public_device: Device,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    minute = timezone.now().replace(second=0, microsecond=0)
    Device.objects.filter(pk=public_device.pk).update(ingest_minute=minute, ingest_count=20)
    payload = json.dumps({"token": device_token, "readings": readings(1)}).encode()

    with django_capture_on_commit_callbacks(execute=True):
        report = handle_message(f"devices/{public_device.pk}/readings", payload)

    if Device.objects.get(pk=public_device.pk).ingest_minute != minute:
        pytest.skip("the minute turned")  # pragma: no cover
    assert report is not None
    assert report["error"]["code"] == "rate_limited"
    assert report["error"]["status"] == 429
    assert 1 <= report["error"]["retry_after"] <= 60
    assert not Reading.objects.filter(device=public_device).exists()


@pytest.mark.django_db(transaction=True)
def test_over_mqtt_a_limited_message_is_reported_and_acknowledged(settings: Settings) -> None:
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    device = DeviceFactory.create(name="mqtt-station")
    _credential, token = device_credential_issue(device=device)
    minute = timezone.now().replace(second=0, microsecond=0)
    Device.objects.filter(pk=device.pk).update(ingest_minute=minute, ingest_count=20)
    payload = json.dumps({"token": token, "readings": readings(1)}).encode()
    message = Message(f"devices/{device.pk}/readings", payload, mid=9, qos=1)
    broker = FakeBrokerClient()
    ingest = MqttIngest(url="mqtt://127.0.0.1:1883", client_id=f"test-{uuid.uuid4()}")

    ingest.process(cast(Session, broker), [message])

    if Device.objects.get(pk=device.pk).ingest_minute != minute:
        pytest.skip("the minute turned")  # pragma: no cover
    assert broker.acked == [9]
    [(topic, report)] = broker.published
    assert topic == f"devices/{device.pk}/errors"
    assert report["error"]["code"] == "rate_limited"
    assert report["error"]["retry_after"] >= 1


# Two processes each send one device 30 batches of 5 readings, one group commit each, with a
# limit of 100 a minute: unless every process sees the others' counts, more than 100 go in.
TWO_PROCESS_SCRIPT = """
import datetime as dt, json, sys
import django
django.setup()
from sensors.services.groups import Send, sends_commit
token, first, now = sys.argv[1], int(sys.argv[2]), dt.datetime.fromisoformat(sys.argv[3])
accepted = 0
for batch in range(30):
    items = [
        {"metric": "pm25", "time": (now - dt.timedelta(seconds=first + batch * 5 + i)).isoformat(),
         "value": 1}
        for i in range(5)
    ]
    [answer] = sends_commit(sends=[Send(token=token, items=items)], now=now)
    accepted += answer.accepted
print(json.dumps(accepted))
"""


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_device_limit_holds_exactly_across_two_processes() -> None:
    device = DeviceFactory.create(name="busy-station")
    _credential, token = device_credential_issue(device=device)
    now = timezone.now().replace(microsecond=0)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "SENSORS_MAX_BATCH": "10",
        "SENSORS_DEVICE_READINGS_PER_MINUTE": "100",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("CELERY_BROKER_URL", None)
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script.
            [sys.executable, "-c", TWO_PROCESS_SCRIPT, token, str(first), now.isoformat()],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first in (0, 1_000)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err[-2000:]
    accepted = [int(out.strip().splitlines()[-1]) for out, _err in outputs]

    assert sum(accepted) == 100
    assert Reading.objects.filter(device=device).count() == 100
    assert Device.objects.get(pk=device.pk).ingest_count == 100


# --- Invalid tokens per address -----------------------------------------------------------------


@pytest.mark.django_db
def test_an_address_past_its_invalid_tokens_is_refused_without_a_lookup(
    send: Send, settings: Settings, device_token: str, public_device: Device
) -> None:
    settings.SENSORS_TOKEN_FAILURE_LIMIT = 3
    settings.SENSORS_TOKEN_FAILURE_WINDOW = 300

    guesses = [send(f"guess-{i}", readings(1), address="203.0.113.7") for i in range(3)]
    with CaptureQueriesContext(connection) as queries:
        # Even the right token, from there, is not looked at until the window ends.
        blocked = send(device_token, readings(1), address="203.0.113.7")

    assert [guess.status_code for guess in guesses] == [401, 401, 401]
    assert blocked.status_code == 429
    error = blocked.json()["error"]
    assert error["code"] == "too_many_invalid_tokens"
    assert "at most 3 are checked in 300 seconds" in error["message"]
    assert 1 <= retry_after(blocked) <= 300
    assert not any(
        DeviceCredential._meta.db_table in query["sql"] for query in queries.captured_queries
    )
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_other_addresses_and_good_tokens_are_not_slowed(
    send: Send, settings: Settings, device_token: str
) -> None:
    settings.SENSORS_TOKEN_FAILURE_LIMIT = 3
    for i in range(3):
        send(f"guess-{i}", readings(1), address="203.0.113.7")

    assert send(device_token, readings(1), address="198.51.100.1").status_code == 202
    # Good tokens from an address do not count against it.
    for i in range(5):
        assert send(device_token, readings(1, start=i + 1), address="192.0.2.1").status_code == 202


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_count(
    send: Send, settings: Settings, device_token: str
) -> None:
    settings.SENSORS_TOKEN_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(3):
        send(f"guess-{i}", readings(1), address="203.0.113.7", forwarded=f"10.0.0.{i}")

    blocked = send(device_token, readings(1), address="203.0.113.7", forwarded="10.0.0.99")

    assert blocked.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_it_names_is_counted(
    send: Send, settings: Settings, device_token: str
) -> None:
    settings.SENSORS_TOKEN_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(3):
        send(f"guess-{i}", readings(1), address="10.0.0.1", forwarded="203.0.113.7")

    blocked = send(device_token, readings(1), address="10.0.0.1", forwarded="203.0.113.7")
    neighbour = send(device_token, readings(1), address="10.0.0.1", forwarded="198.51.100.1")

    assert blocked.status_code == 429
    assert neighbour.status_code == 202


@pytest.mark.django_db
def test_over_mqtt_invalid_tokens_are_counted_per_topic(
    settings: Settings,
    device_token: str,
    public_device: Device,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.SENSORS_TOKEN_FAILURE_LIMIT = 3
    topic = f"devices/{public_device.pk}/readings"
    for i in range(3):
        guess = json.dumps({"token": f"guess-{i}", "readings": readings(1)}).encode()
        report = handle_message(topic, guess)
        assert report is not None
        assert report["error"]["code"] == "invalid_token"
    good = json.dumps({"token": device_token, "readings": readings(1)}).encode()

    with django_capture_on_commit_callbacks(execute=True):
        blocked = handle_message(topic, good)
        elsewhere = handle_message(
            "devices/999999/readings",
            json.dumps({"token": "guess", "readings": readings(1)}).encode(),
        )

    assert blocked is not None
    assert blocked["error"]["code"] == "too_many_invalid_tokens"
    assert blocked["error"]["retry_after"] >= 1
    assert elsewhere is not None
    assert elsewhere["error"]["code"] == "invalid_token"


@requires_postgres
@pytest.mark.django_db
def test_a_group_reads_and_writes_its_devices_counts_once(
    settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from sensors.services.groups import Send as GroupSend
    from sensors.services.groups import sends_commit

    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = 20
    devices = [DeviceFactory.create(name=f"station-{n}") for n in range(5)]
    tokens = [device_credential_issue(device=device)[1] for device in devices]
    sends = [GroupSend(token=token, items=readings(3), origin="192.0.2.1") for token in tokens]

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks():
        answers = sends_commit(sends=sends)

    assert [answer.status for answer in answers] == [202] * 5
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum(sql.startswith("UPDATE sensors_device ") for sql in statements) == 1
    assert sum("ingest_count FROM sensors_device" in sql for sql in statements) == 1
    assert set(Device.objects.values_list("ingest_count", flat=True)) == {3}


def test_a_device_limit_below_a_full_batch_is_refused_at_start_up() -> None:
    from tests.portal.test_settings import run_django

    refused = run_django("", SENSORS_DEVICE_READINGS_PER_MINUTE="100")
    off = run_django(
        "from django.conf import settings as s; print(s.SENSORS_DEVICE_READINGS_PER_MINUTE)",
        SENSORS_DEVICE_READINGS_PER_MINUTE="0",
    )

    assert refused.returncode != 0
    assert "SENSORS_DEVICE_READINGS_PER_MINUTE (100) must be at least SENSORS_MAX_BATCH" in (
        refused.stderr
    )
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "0"
