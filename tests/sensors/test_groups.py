"""Group commit: many sends judged one by one and stored together, each reading once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from sensors.errors import SensorError
from sensors.ingest import BodyError
from sensors.models import Alert, Device, DeviceCredential, HourRollup, MinuteRollup, Reading
from sensors.services import device_credential_issue
from sensors.services.groups import Send, sends_commit
from tests.conftest import requires_postgres
from tests.sensors.factories import DeviceFactory

pytestmark = pytest.mark.django_db

BASE = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)


def readings(*values: float, metric: str = "pm25", offset: int = 0) -> list[object]:
    times = [(BASE + dt.timedelta(seconds=offset + i)).isoformat() for i in range(len(values))]
    return [
        {"metric": metric, "time": time, "value": value}
        for time, value in zip(times, values, strict=True)
    ]


def test_each_send_gets_its_own_answer_in_order(
    public_device: Device,
    device_token: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    retired = DeviceFactory.create(name="retired-station", status=Device.Status.RETIRED)
    retired_token = device_credential_issue(device=retired)[1]
    revoked = DeviceFactory.create(name="revoked-station")
    revoked_token = device_credential_issue(device=revoked)[1]
    DeviceCredential.objects.filter(device=revoked).update(revoked_at=timezone.now())
    too_many = BodyError(status=413, code=SensorError.TOO_MANY_READINGS, message="Too many.")

    with django_capture_on_commit_callbacks(execute=True):
        answers = sends_commit(
            sends=[
                Send(token=device_token, items=readings(10, 11)),
                Send(token="", items=readings(1)),
                Send(token="forged", items=readings(1)),
                Send(token=revoked_token, items=readings(1)),
                Send(token=retired_token, items=readings(1)),
                Send(token=device_token, items=readings(1), topic_device="999999"),
                Send(token=device_token, items=[], refused=too_many),
                Send(token=device_token, items=readings(12, metric="radon", offset=5)),
            ]
        )

    assert [(answer.status, answer.body.get("error", {}).get("code")) for answer in answers] == [
        (202, None),
        (401, "missing_token"),
        (401, "invalid_token"),
        (401, "revoked_token"),
        (401, "device_retired"),
        (403, "wrong_device"),
        (413, "too_many_readings"),
        (202, None),
    ]
    assert answers[0].body == {"accepted": 2, "rejected": []}
    assert answers[7].body["rejected"][0]["code"] == "unknown_metric"
    assert Reading.objects.filter(device=public_device).count() == 2
    assert Reading.objects.count() == 2


def test_readings_of_many_devices_are_stored_rolled_up_and_alerted_together(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    devices = [DeviceFactory.create(name=f"seocho-gu-air-{n}") for n in range(3)]
    tokens = [device_credential_issue(device=device)[1] for device in devices]

    with django_capture_on_commit_callbacks(execute=True):
        sends_commit(
            sends=[Send(token=token, items=readings(20, 80)) for token in tokens],
            now=BASE + dt.timedelta(hours=1),
        )

    for device in devices:
        minute = MinuteRollup.objects.get(device=device)
        assert (minute.count, minute.min, minute.max, minute.mean) == (2, 20, 80, 50)
        assert HourRollup.objects.get(device=device).count == 2
        device.refresh_from_db()
        assert device.last_seen_at == BASE + dt.timedelta(hours=1)
    # The newest reading (80) is very bad: both of PM2.5's alerts open for every device.
    assert Alert.objects.filter(closed_at__isnull=True).count() == 6


def test_a_reading_sent_again_in_a_later_group_is_stored_and_counted_once(
    public_device: Device,
    device_token: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sends_commit(sends=[Send(token=device_token, items=readings(10, 20))])
        sends_commit(
            sends=[
                Send(token=device_token, items=readings(10, 20, 30)),
                Send(token=device_token, items=readings(10)),
            ]
        )

    assert Reading.objects.filter(device=public_device).count() == 3
    minute = MinuteRollup.objects.get(device=public_device)
    assert (minute.count, minute.sum, minute.min, minute.max) == (3, 60, 10, 30)
    assert HourRollup.objects.get(device=public_device).count == 3


@requires_postgres
def test_the_devices_of_a_group_are_locked_until_it_commits(
    public_device: Device, device_token: str
) -> None:
    from django.db import connection

    sends_commit(sends=[Send(token=device_token, items=readings(10))])
    with connection.cursor() as cursor:
        # Inside the test's transaction the group's locks are still held.
        cursor.execute(
            # pg_locks spans the cluster: other databases' devices have the same ids.
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [public_device.pk],
        )
        (held,) = cursor.fetchone()
    assert held == 1


def test_a_credential_used_for_the_first_time_is_marked_used(
    public_device: Device, device_token: str
) -> None:
    sends_commit(sends=[Send(token=device_token, items=readings(10))])

    assert DeviceCredential.objects.get(device=public_device).last_used_at is not None


def test_a_group_whose_sends_repeat_each_other_stores_and_pushes_each_reading_once(
    public_device: Device,
    device_token: str,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    pushed: list[dict[str, object]] = []
    monkeypatch.setattr("sensors.live.push.push_readings", pushed.extend)

    # The group is first stored whole; the repeat makes it count one reading short, and it is
    # stored again after the repeat is refused, with nothing of the first try left behind.
    with django_capture_on_commit_callbacks(execute=True):
        first, second = sends_commit(
            sends=[
                Send(token=device_token, items=readings(10, 20)),
                Send(token=device_token, items=readings(10)),
            ]
        )

    assert first.body == {"accepted": 2, "rejected": []}
    assert second.accepted == 0
    assert [rejected["code"] for rejected in second.body["rejected"]] == ["duplicate"]
    assert sorted(float(str(reading["value"])) for reading in pushed) == [10.0, 20.0]
    assert Reading.objects.filter(device=public_device).count() == 2
    minute = MinuteRollup.objects.get(device=public_device)
    assert (minute.count, minute.sum) == (2, 30)
    public_device.refresh_from_db()
    assert public_device.last_seen_at is not None
