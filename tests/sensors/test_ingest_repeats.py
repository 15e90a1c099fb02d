"""What a device is told about readings it sent twice, corrections, and a database that is away.

Every test that goes through `send` runs twice, as in test_ingest.py: through the ASGI fast path
(group commit) and through Django's handler (the DRF view, which keeps each batch for the
workers; here they run inline).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from sensors.models import Alert, Device, IngestBatch, MinuteRollup, Reading, ReadingCorrection
from sensors.mqtt import handle_message
from sensors.services.groups import Send as GroupSend
from sensors.services.groups import sends_commit
from tests.conftest import requires_postgres
from tests.sensors.asgi import Answered, asgi_post
from tests.sensors.test_ingest import Send, now_iso, post, reading
from tests.sensors.test_ingest import send as send

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

# One instant, as a device in Seoul and one in UTC would write it.
SEOUL = (timezone.now() - dt.timedelta(minutes=30)).replace(microsecond=0)
IN_SEOUL = SEOUL.astimezone(dt.timezone(dt.timedelta(hours=9))).isoformat()
IN_UTC = SEOUL.astimezone(dt.UTC).isoformat()


@pytest.fixture(autouse=True)
def _in_english(settings: Settings) -> None:
    # The reasons are compared as written; devices that send no Accept-Language get this one.
    settings.LANGUAGE_CODE = "en"


def header(response: TestResponse | Answered, name: str) -> str | None:
    if isinstance(response, Answered):
        value = response.headers.get(name.lower().encode())
        return value.decode() if value is not None else None
    found: str | None = response.headers.get(name)
    return found


def test_a_batch_with_two_readings_of_one_metric_and_time_keeps_the_first_and_says_so(
    send: Send, device_token: str, public_device: Device
) -> None:
    response = send(
        device_token,
        [
            reading(time=IN_SEOUL, value=41.5),
            reading(time=now_iso(-1), value=12),
            reading(time=IN_UTC, value=44),
        ],
    )

    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert body["rejected"] == [
        {
            "index": 2,
            "code": "duplicate",
            "reason": "Reading 0 of this batch has the same metric and time.",
        }
    ]
    assert Reading.objects.get(device=public_device, time=SEOUL).value == 41.5


def test_a_reading_sent_again_is_reported_as_a_duplicate_and_stored_once(
    send: Send, device_token: str, public_device: Device
) -> None:
    batch = [reading(time=now_iso(-1)), reading(time=now_iso(-2), value=12)]

    send(device_token, batch)
    again = send(device_token, batch)

    assert again.status_code == 202
    assert again.json()["accepted"] == 0
    assert [(r["index"], r["code"]) for r in again.json()["rejected"]] == [
        (0, "duplicate"),
        (1, "duplicate"),
    ]
    assert "with the value 12.0" in again.json()["rejected"][1]["reason"]
    assert Reading.objects.filter(device=public_device).count() == 2
    assert MinuteRollup.objects.filter(device=public_device).values_list("count", flat=True)


def test_another_value_at_a_stored_time_is_a_duplicate_naming_the_stored_value(
    send: Send, device_token: str, public_device: Device
) -> None:
    send(device_token, reading(time=IN_SEOUL, value=41.5))

    response = send(device_token, reading(time=IN_UTC, value=12))

    assert response.json()["accepted"] == 0
    (rejected,) = response.json()["rejected"]
    assert rejected["code"] == "duplicate"
    assert (
        f"A pm25 reading at {IN_UTC} was already received, with the value 41.5"
        in (rejected["reason"])
    )
    assert '"correction": true' in rejected["reason"]
    assert Reading.objects.get(device=public_device).value == 41.5
    assert not ReadingCorrection.objects.exists()


def test_a_correction_replaces_the_stored_value_keeps_the_old_and_rolls_up_again(
    send: Send, device_token: str, public_device: Device
) -> None:
    # 80 µg/m³ of PM2.5 is "very bad": both PM2.5 alerts open.
    send(device_token, reading(time=IN_SEOUL, value=80))
    assert Alert.objects.filter(device=public_device, closed_at__isnull=True).count() == 2

    response = send(device_token, reading(time=IN_UTC, value=20, correction=True))

    assert response.json() == {"accepted": 1, "rejected": []}
    stored = Reading.objects.get(device=public_device)
    assert stored.value == 20
    correction = ReadingCorrection.objects.get(reading=stored)
    assert (correction.old_value, correction.new_value, correction.source) == (80, 20, "http")
    minute = MinuteRollup.objects.get(device=public_device)
    assert (minute.count, minute.min, minute.max, minute.mean) == (1, 20, 20, 20)
    assert not Alert.objects.filter(device=public_device, closed_at__isnull=True).exists()


def test_a_correction_that_changes_nothing_is_a_duplicate(
    send: Send, device_token: str, public_device: Device
) -> None:
    send(device_token, reading(time=IN_SEOUL, value=30))

    response = send(device_token, reading(time=IN_SEOUL, value=30, correction=True))

    assert response.json()["rejected"][0]["code"] == "duplicate"
    assert "already has the value 30.0" in response.json()["rejected"][0]["reason"]
    assert not ReadingCorrection.objects.exists()


def test_a_correction_of_a_time_with_nothing_stored_is_an_ordinary_reading(
    send: Send, device_token: str, public_device: Device
) -> None:
    response = send(device_token, reading(time=IN_SEOUL, value=30, correction=True))

    assert response.json() == {"accepted": 1, "rejected": []}
    assert Reading.objects.get(device=public_device).value == 30
    assert not ReadingCorrection.objects.exists()


@pytest.mark.parametrize("flag", ["yes", 1, None])
def test_the_correction_flag_must_be_true_or_false(
    send: Send, device_token: str, flag: object
) -> None:
    response = send(device_token, reading(correction=flag))

    assert response.json()["rejected"][0]["code"] == "invalid_correction"
    assert not Reading.objects.exists()


def test_a_reading_waiting_for_the_workers_is_repeated_as_a_duplicate_too(
    client: Client,
    device_token: str,
    public_device: Device,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sensors import tasks

    # The broker is down: the first batch waits, unprocessed, for the workers.
    monkeypatch.setattr(tasks.process_ingest_batch, "apply_async", lambda *a, **k: None)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, device_token, [reading(time=IN_SEOUL, value=41.5)])
        again = post(client, device_token, [reading(time=IN_UTC, value=50)])
        corrected = post(client, device_token, [reading(time=IN_UTC, value=50, correction=True)])

    assert again.json()["rejected"][0]["code"] == "duplicate"
    assert "with the value 41.5" in again.json()["rejected"][0]["reason"]
    assert corrected.json() == {"accepted": 1, "rejected": []}
    assert IngestBatch.objects.count() == 2
    assert not Reading.objects.exists()

    from sensors.services.processing import ingest_batch_process

    for batch in IngestBatch.objects.order_by("pk"):
        ingest_batch_process(batch_id=batch.pk)

    assert Reading.objects.get(device=public_device).value == 50
    correction = ReadingCorrection.objects.get()
    assert (correction.old_value, correction.new_value) == (41.5, 50)


def test_an_unknown_metric_is_echoed_cut_short(send: Send, device_token: str) -> None:
    response = send(device_token, [reading(metric="r" * 1_000_000), reading(metric=["pm25"])])

    rejected = response.json()["rejected"]
    assert [r["code"] for r in rejected] == ["unknown_metric", "unknown_metric"]
    assert rejected[0]["reason"].startswith("Unknown metric: 'rrrr")
    assert len(rejected[0]["reason"]) < 80
    assert "pm25" not in rejected[1]["reason"]
    assert len(response.body if isinstance(response, Answered) else response.content) < 500


def test_a_value_out_of_range_is_echoed_cut_short(send: Send, device_token: str) -> None:
    response = send(device_token, reading(value=10**300))

    (rejected,) = response.json()["rejected"]
    assert rejected["code"] == "out_of_range"
    assert len(rejected["reason"]) < 120


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"metric": "pm\u0000"}, "metric"),
        ({"time": "\ud800"}, "time"),
        ({"note": "abc\udfffdef"}, "note"),
        ({"\ud800": 1}, "\\ud800"),
    ],
)
def test_text_the_database_cannot_store_is_refused_by_index_naming_the_field(
    send: Send, device_token: str, public_device: Device, bad: dict[str, object], field: str
) -> None:
    response = send(device_token, [reading(time=now_iso(-1)), reading(**bad)])

    assert response.status_code == 202
    assert response.json()["accepted"] == 1
    (rejected,) = response.json()["rejected"]
    assert (rejected["index"], rejected["code"]) == (1, "unstorable_text")
    assert rejected["reason"].startswith(f"{field}: ")
    assert Reading.objects.filter(device=public_device).count() == 1


def test_a_database_that_is_away_answers_503_with_retry_after_on_the_django_path(
    client: Client, device_token: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATABASE_RETRY_AFTER = 7

    def away(**kwargs: object) -> None:
        raise OperationalError("the database is away")

    monkeypatch.setattr("sensors.api_ingest.ingest_batch_accept", away)
    response = post(client, device_token, [reading()])

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "unavailable"


def test_a_database_that_is_away_answers_503_with_retry_after_on_the_asgi_path(
    device_token: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATABASE_RETRY_AFTER = 7

    def away(**kwargs: object) -> None:
        raise OperationalError("the database is away")

    monkeypatch.setattr("sensors.ingest_asgi.sends_commit", away)
    response = asgi_post(device_token, json.dumps([reading()]).encode())

    assert response.status_code == 503
    assert header(response, "Retry-After") == "7"
    assert response.json()["error"]["code"] == "unavailable"


def _readings(*values: float, at: str = IN_UTC) -> list[object]:
    return [{"metric": "pm25", "time": at, "value": value} for value in values]


def test_a_repeat_of_an_earlier_send_in_the_same_group_is_a_duplicate(
    public_device: Device,
    device_token: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first, second, correction = sends_commit(
            sends=[
                GroupSend(token=device_token, items=_readings(41.5)),
                GroupSend(token=device_token, items=_readings(41.5)),
                GroupSend(
                    token=device_token,
                    items=[{**reading(time=IN_SEOUL, value=9), "correction": True}],
                    topic_device=str(public_device.pk),
                ),
            ]
        )

    assert first.body == {"accepted": 1, "rejected": []}
    assert second.body["accepted"] == 0
    assert second.body["rejected"][0]["code"] == "duplicate"
    assert correction.body == {"accepted": 1, "rejected": []}
    assert Reading.objects.get(device=public_device).value == 9
    history = ReadingCorrection.objects.get()
    assert (history.old_value, history.new_value, history.source) == (41.5, 9, "mqtt")
    minute = MinuteRollup.objects.get(device=public_device)
    assert (minute.count, minute.sum) == (1, 9)


def _accept_over_http(token: str, device: Device) -> int:
    from sensors.services.accepting import ingest_batch_accept

    return ingest_batch_accept(
        device=device, items=_readings(41.5), source=IngestBatch.Source.HTTP
    ).accepted


def _commit_in_a_group(token: str, device: Device) -> int:
    (answer,) = sends_commit(sends=[GroupSend(token=token, items=_readings(41.5))])
    return answer.accepted


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("readings_per_minute", [0, 6_000])
@pytest.mark.parametrize("path", [_accept_over_http, _commit_in_a_group])
def test_two_sends_of_one_reading_at_once_are_told_apart_under_the_devices_lock(
    settings: Settings,
    readings_per_minute: int,
    path: Callable[[str, Device], int],
) -> None:
    from django.db import connection, connections

    from sensors.services.credentials import device_credential_issue
    from sensors.services.processing import DEVICE_LOCK_CLASS
    from tests.sensors.factories import DeviceFactory

    # With the per-device limit on, its count takes the device's lock; with it off, the
    # duplicate check must take it itself.
    settings.SENSORS_DEVICE_READINGS_PER_MINUTE = readings_per_minute
    device = DeviceFactory.create()
    token = device_credential_issue(device=device)[1]
    accepted: list[int] = []

    def sender() -> None:
        try:
            accepted.append(path(token, device))
        finally:
            connections.close_all()

    # Both senders queue behind a lock the test holds, then go one after the other: the second
    # must wait for the first to commit to see what it stored (or kept for the workers).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [DEVICE_LOCK_CLASS, device.pk])
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        waiting = 0
        for _attempt in range(200):
            # Blocked on the device's lock, or on a row the other one's transaction holds.
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            (waiting,) = cursor.fetchone() or (0,)
            if waiting == 2:
                break
            time.sleep(0.05)
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DEVICE_LOCK_CLASS, device.pk])
    for thread in threads:
        thread.join(30)

    assert waiting == 2
    assert sorted(accepted) == [0, 1]


@pytest.mark.parametrize(
    ("envelope", "field"),
    [
        ({"token": "abc\ud800", "readings": []}, "token"),
        ({"token": "abc\u0000", "readings": []}, "token"),
        ({"token": "abc", "\udfff": 1, "readings": []}, "\\udfff"),
    ],
)
def test_an_mqtt_message_with_text_the_database_cannot_store_is_refused_naming_it(
    public_device: Device, envelope: dict[str, object], field: str
) -> None:
    topic = f"devices/{public_device.pk}/readings"

    report = handle_message(topic, json.dumps(envelope).encode())

    assert report is not None
    assert report["error"]["status"] == 400
    assert report["error"]["code"] == "unstorable_text"
    assert report["error"]["message"].startswith(f"{field}: ")


def test_an_mqtt_message_sent_again_is_reported_as_duplicates(
    public_device: Device,
    device_token: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    topic = f"devices/{public_device.pk}/readings"
    payload = json.dumps(
        {"token": device_token, "readings": [reading(time=IN_SEOUL), {**reading(), "x": "\ud800"}]}
    ).encode()

    with django_capture_on_commit_callbacks(execute=True):
        first = handle_message(topic, payload)
        again = handle_message(topic, payload)

    assert first is not None
    assert first["accepted"] == 1
    assert [(r["index"], r["code"]) for r in first["rejected"]] == [(1, "unstorable_text")]
    assert again is not None
    assert again["accepted"] == 0
    assert [(r["index"], r["code"]) for r in again["rejected"]] == [
        (0, "duplicate"),
        (1, "unstorable_text"),
    ]
    assert Reading.objects.filter(device=public_device).count() == 1
