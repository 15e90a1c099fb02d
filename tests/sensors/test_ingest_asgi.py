"""The endpoint's fast path under ASGI: what it serves itself, what it leaves to Django, and how
it commits many requests together (its contract is tested in test_ingest.py, on both paths)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from sensors import ingest_asgi
from sensors.models import Device, MinuteRollup, Reading
from sensors.services import device_credential_issue
from sensors.services.groups import Answer, Send, sends_commit
from tests.sensors.asgi import Answered, asgi_post, asgi_request, http_scope
from tests.sensors.factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def body(*values: float) -> bytes:
    start = timezone.now() - dt.timedelta(minutes=5)
    return json.dumps(
        [
            {"metric": "pm10", "time": (start + dt.timedelta(seconds=i)).isoformat(), "value": v}
            for i, v in enumerate(values)
        ]
    ).encode()


def test_readings_are_served_without_djangos_handler(
    device_token: str, public_device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_django(*args: object) -> None:
        raise AssertionError("Django's handler was called")

    monkeypatch.setattr("portal.asgi.django_asgi_app", no_django)

    answer = asgi_post(device_token, body(12, 13))

    assert answer.status_code == 202
    assert answer.json() == {"accepted": 2, "rejected": []}
    assert Reading.objects.filter(device=public_device).count() == 2


# Django's handler checks its connections as each request starts, which a test's transaction
# would not survive on PostgreSQL: the tests that reach it commit as they go.
@pytest.mark.django_db(transaction=True)
def test_other_methods_on_the_path_are_left_to_django(device_token: str) -> None:
    answer = asgi_post(device_token, b"", method="GET")

    assert answer.status_code == 405
    assert answer.json()["error"]["status"] == 405


@pytest.mark.django_db(transaction=True)
def test_a_host_that_is_not_allowed_is_left_to_django_which_refuses_it(
    device_token: str, public_device: Device
) -> None:
    answer = asgi_post(device_token, body(12), headers={"host": "attacker.example"})

    assert answer.status_code == 400
    assert not Reading.objects.exists()


def test_plain_http_is_left_to_django_where_https_is_required(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = http_scope("token", b"[]")
    behind_https = http_scope("token", b"[]", headers={"x-forwarded-proto": "https"})

    # Django's security middleware redirects the first; the second is served here.
    assert not ingest_asgi.handles(plain)
    assert ingest_asgi.handles(behind_https)


def test_answers_speak_the_language_the_device_asks_for(device_token: str) -> None:
    english = asgi_post(device_token + "x", body(1), headers={"accept-language": "en"})
    korean = asgi_post(device_token + "x", body(1))

    assert english.json()["error"]["message"] == "The device token is not valid."
    assert english.headers[b"content-language"] == b"en"
    assert korean.json()["error"]["message"] != english.json()["error"]["message"]
    assert korean.headers[b"content-language"] == b"ko"


def test_a_refusal_of_the_token_says_which_scheme_to_use(device_token: str) -> None:
    answer = asgi_post(None, body(1))

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert answer.headers[b"www-authenticate"] == b"Token"


@pytest.mark.parametrize(("token_holds", "status"), [(True, 413), (False, 401)])
def test_an_oversized_body_is_refused_unread_after_the_token(
    device_token: str, token_holds: bool, status: int
) -> None:
    token = device_token if token_holds else device_token + "x"

    answer = asgi_post(token, b"[]", headers={"content-length": "99999999"})

    assert answer.status_code == status


def test_requests_that_arrive_together_are_committed_together_and_answered_each(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    devices = [DeviceFactory.create(name=f"jongno-gu-air-{n}") for n in range(12)]
    tokens = [device_credential_issue(device=device)[1] for device in devices]
    groups: list[int] = []

    def counting(*, sends: Sequence[Send]) -> list[Answer]:
        groups.append(len(sends))
        return sends_commit(sends=sends)

    monkeypatch.setattr(ingest_asgi, "sends_commit", counting)

    async def together() -> list[Answered]:
        return await asyncio.gather(
            *(asgi_request(token, body(n, n + 1)) for n, token in enumerate(tokens)),
            asgi_request(tokens[0] + "x", body(1)),
        )

    with django_capture_on_commit_callbacks(execute=True):
        answers = async_to_sync(together)()

    assert [answer.status_code for answer in answers] == [202] * 12 + [401]
    assert sum(groups) == 13
    assert max(groups) > 1
    for n, device in enumerate(devices):
        assert sorted(Reading.objects.filter(device=device).values_list("value", flat=True)) == [
            n,
            n + 1,
        ]
    assert sum(MinuteRollup.objects.values_list("count", flat=True)) == 24


def test_a_database_that_cannot_take_the_group_answers_503_and_nothing_is_kept(
    device_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away(*, sends: Sequence[Send]) -> list[Answer]:
        raise OperationalError("the database is away")

    monkeypatch.setattr(ingest_asgi, "sends_commit", away)

    answer = asgi_post(device_token, body(12))

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert not Reading.objects.exists()


def test_a_request_that_trips_a_bug_fails_alone(
    public_device: Device, device_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = DeviceFactory.create(name="mapo-gu-air-quality-001")
    other_token = device_credential_issue(device=other)[1]

    def fragile(*, sends: Sequence[Send]) -> list[Answer]:
        if any(send.token == device_token for send in sends):
            raise ValueError("unexpected")
        return sends_commit(sends=sends)

    monkeypatch.setattr(ingest_asgi, "sends_commit", fragile)

    async def together() -> tuple[Answered, Answered]:
        return await asyncio.gather(
            asgi_request(device_token, body(1)), asgi_request(other_token, body(2))
        )

    failed, served = async_to_sync(together)()

    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"
    assert served.status_code == 202
    assert Reading.objects.get().device == other
