"""HTTP ingest: what is accepted, what is refused and why, and that re-sends store once.

Every test that goes through `send` runs twice: through the portal's ASGI application, which
hands the endpoint to its own fast path (`sensors.ingest_asgi`), and through Django's handler,
where the DRF view serves it (under WSGI). Both keep one contract.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Protocol

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from portal.models import User
from sensors.models import Device, DeviceCredential, IngestBatch, Reading
from sensors.services import device_credential_issue
from tests.sensors.asgi import Answered, asgi_post
from tests.sensors.factories import DeviceFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/api/sensors/readings"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def now_iso(minutes: float = 0) -> str:
    return (timezone.now() + dt.timedelta(minutes=minutes)).isoformat()


def post(
    client: Client, token: str | None, body: object, *, raw: bytes | None = None
) -> TestResponse:
    headers = {"authorization": f"Token {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def reading(**overrides: object) -> dict[str, object]:
    return {"metric": "pm25", "time": now_iso(), "value": 41.5, **overrides}


class Send(Protocol):
    """Posts a body with a device's token and runs what the request left for after commit.

    `address` is the connecting client's, `forwarded` an X-Forwarded-For header. Answers are in
    English, so that tests can read the numbers in the messages.
    """

    def __call__(
        self,
        token: str | None,
        body: object,
        *,
        raw: bytes | None = None,
        address: str = "127.0.0.1",
        forwarded: str = "",
    ) -> TestResponse | Answered: ...


@pytest.fixture(params=["asgi", "django"])
def send(
    request: pytest.FixtureRequest,
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Send:
    def go(
        token: str | None,
        body: object,
        *,
        raw: bytes | None = None,
        address: str = "127.0.0.1",
        forwarded: str = "",
    ) -> TestResponse | Answered:
        headers = {"accept-language": "en"}
        if forwarded:
            headers["x-forwarded-for"] = forwarded
        data = raw if raw is not None else json.dumps(body).encode()
        with django_capture_on_commit_callbacks(execute=True):
            if request.param == "asgi":
                return asgi_post(token, data, headers=headers, client=address)
            if token:
                headers["authorization"] = f"Token {token}"
            return client.post(
                URL,
                data=data,
                content_type="application/json",
                headers=headers,
                REMOTE_ADDR=address,
            )

    return go


def test_a_batch_of_good_readings_is_accepted_and_stored(
    send: Send, device_token: str, public_device: Device
) -> None:
    times = [now_iso(-i) for i in range(3)]
    response = send(device_token, [reading(time=t, value=10 + i) for i, t in enumerate(times)])

    assert response.status_code == 202
    assert response.json() == {"accepted": 3, "rejected": []}
    stored = Reading.objects.filter(device=public_device, metric__code="pm25")
    assert sorted(stored.values_list("value", flat=True)) == [10, 11, 12]
    assert not IngestBatch.objects.exists()


def test_one_reading_alone_is_accepted(
    send: Send, device_token: str, public_device: Device
) -> None:
    response = send(device_token, reading(metric="temperature", value=-3))

    assert response.status_code == 202
    assert response.json()["accepted"] == 1
    assert Reading.objects.get(device=public_device).value == -3


def test_the_device_is_marked_as_seen(send: Send, device_token: str, public_device: Device) -> None:
    send(device_token, reading())

    public_device.refresh_from_db()
    assert public_device.last_seen_at is not None


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"time": "2026-11-25T09:00:00+09:00", "value": 1}, "missing_field"),
        ({"metric": "pm25", "value": 1}, "missing_field"),
        ({"metric": "pm25", "time": "now"}, "missing_field"),
        ({"metric": "radon", "time": "NOW", "value": 1}, "unknown_metric"),
        ({"metric": "pm25", "time": "NOW", "value": 1001}, "out_of_range"),
        ({"metric": "pm25", "time": "NOW", "value": -0.5}, "out_of_range"),
        ({"metric": "temperature", "time": "NOW", "value": 61}, "out_of_range"),
        ({"metric": "pm25", "time": "NOW", "value": "41.5"}, "not_a_number"),
        ({"metric": "pm25", "time": "NOW", "value": True}, "not_a_number"),
        ({"metric": "pm25", "time": "NOW", "value": None}, "not_a_number"),
        ({"metric": "pm25", "time": "yesterday", "value": 1}, "invalid_time"),
        ({"metric": "pm25", "time": "2026-11-25T09:00:00", "value": 1}, "invalid_time"),
        ({"metric": "pm25", "time": 1764028800, "value": 1}, "invalid_time"),
        ({"metric": "pm25", "time": "+6", "value": 1}, "time_in_future"),
        ({"metric": "pm25", "time": "-20000", "value": 1}, "time_too_old"),
        ("pm25=41.5", "not_an_object"),
    ],
)
def test_each_bad_reading_is_rejected_with_its_index_and_reason(
    send: Send, device_token: str, public_device: Device, bad: object, code: str
) -> None:
    # Times relative to now, in minutes, are filled in when the test runs.
    if isinstance(bad, dict) and str(bad.get("time", ""))[:1] in {"N", "+", "-"}:
        offset = 0 if bad["time"] == "NOW" else float(bad["time"])
        bad = {**bad, "time": now_iso(offset)}

    response = send(device_token, [reading(), bad, reading(metric="pm10")])

    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [(1, code)]
    assert body["rejected"][0]["reason"]
    assert Reading.objects.filter(device=public_device).count() == 2


def test_not_a_number_and_infinity_are_not_numbers(
    send: Send, device_token: str, public_device: Device
) -> None:
    raw = f'[{{"metric": "pm25", "time": "{now_iso()}", "value": NaN}},'
    raw += f'{{"metric": "pm25", "time": "{now_iso(-1)}", "value": Infinity}}]'

    response = send(device_token, None, raw=raw.encode())

    assert [r["code"] for r in response.json()["rejected"]] == ["not_a_number", "not_a_number"]
    assert not Reading.objects.exists()


def test_an_integer_too_large_for_a_float_is_not_a_number(
    send: Send, device_token: str, public_device: Device
) -> None:
    raw = f'[{{"metric": "pm25", "time": "{now_iso()}", "value": 1{"0" * 400}}}]'

    response = send(device_token, None, raw=raw.encode())

    assert response.status_code == 202
    assert [r["code"] for r in response.json()["rejected"]] == ["not_a_number"]
    assert not Reading.objects.exists()


def test_the_age_limit_comes_from_the_settings(
    send: Send, device_token: str, settings: Settings
) -> None:
    settings.SENSORS_MAX_READING_AGE = 600

    response = send(device_token, [reading(time=now_iso(-9)), reading(time=now_iso(-11))])

    assert response.json()["accepted"] == 1
    assert response.json()["rejected"][0]["code"] == "time_too_old"


def test_a_reading_sent_again_is_stored_once(
    send: Send, device_token: str, public_device: Device
) -> None:
    batch = [reading(time=now_iso(-1)), reading(time=now_iso(-2), value=12)]

    send(device_token, batch)
    again = send(device_token, [*batch, batch[0]])

    assert again.status_code == 202
    assert again.json()["accepted"] == 0
    assert {rejected["code"] for rejected in again.json()["rejected"]} == {"duplicate"}
    assert Reading.objects.filter(device=public_device).count() == 2


def test_a_device_cannot_send_another_devices_readings(
    send: Send, device_token: str, public_device: Device
) -> None:
    other = DeviceFactory.create(name="mapo-gu-air-quality-001")

    response = send(
        device_token,
        [reading(device=other.pk), reading(device=public_device.pk, time=now_iso(-1))],
    )

    assert response.json()["accepted"] == 1
    assert response.json()["rejected"][0]["code"] == "wrong_device"
    assert not Reading.objects.filter(device=other).exists()
    assert Reading.objects.filter(device=public_device).count() == 1


def test_readings_go_to_the_device_the_token_belongs_to(
    send: Send, device_token: str, public_device: Device
) -> None:
    other = DeviceFactory.create(name="mapo-gu-air-quality-001")
    _credential, other_token = device_credential_issue(device=other)

    send(other_token, reading())

    assert Reading.objects.get().device == other
    assert not Reading.objects.filter(device=public_device).exists()


def test_it_rejects_a_request_without_a_token(send: Send, public_device: Device) -> None:
    response = send(None, reading())

    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert not IngestBatch.objects.exists()


def test_it_rejects_a_wrong_token(send: Send, device_token: str) -> None:
    response = send(device_token + "x", reading())

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert not Reading.objects.exists()


def test_it_rejects_a_revoked_token(send: Send, device_token: str) -> None:
    DeviceCredential.objects.update(revoked_at=timezone.now())

    response = send(device_token, reading())

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_token"
    assert not Reading.objects.exists()


def test_it_rejects_a_session_user_who_is_not_a_device(
    client: Client, citizen: User, public_device: Device
) -> None:
    client.force_login(citizen)

    response = post(client, None, reading())

    assert response.status_code == 401
    assert not IngestBatch.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe"])
def test_malformed_json_is_a_400_with_a_message(send: Send, device_token: str, raw: bytes) -> None:
    response = send(device_token, None, raw=raw)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(("body", "code"), [(42, "not_a_list"), ([], "empty")])
def test_a_body_that_is_not_readings_is_a_400(
    send: Send, device_token: str, body: object, code: str
) -> None:
    response = send(device_token, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_more_than_the_batch_limit_is_refused_whole(
    send: Send, device_token: str, settings: Settings
) -> None:
    settings.SENSORS_MAX_BATCH = 5

    response = send(device_token, [reading(time=now_iso(-i)) for i in range(6)])

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_readings"
    assert not Reading.objects.exists()


def test_a_batch_of_five_thousand_is_accepted(
    send: Send, device_token: str, public_device: Device
) -> None:
    start = timezone.now() - dt.timedelta(hours=2)
    batch = [
        {"metric": "pm10", "time": (start + dt.timedelta(seconds=i)).isoformat(), "value": i % 90}
        for i in range(5_000)
    ]

    response = send(device_token, batch)

    assert response.json() == {"accepted": 5_000, "rejected": []}
    assert Reading.objects.filter(device=public_device).count() == 5_000


def test_an_oversized_body_is_a_413(send: Send, device_token: str, settings: Settings) -> None:
    settings.SENSORS_MAX_BODY_BYTES = 2_000

    response = send(device_token, [reading(time=now_iso(-i)) for i in range(40)])

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_readings_are_kept_when_processing_cannot_start(
    client: Client,
    device_token: str,
    public_device: Device,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sensors import tasks

    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.process_ingest_batch, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, device_token, [reading(), reading(time=now_iso(-1))])

    assert response.status_code == 202
    batch = IngestBatch.objects.get()
    assert batch.count == 2
    assert batch.device == public_device
