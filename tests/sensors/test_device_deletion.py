"""Deleting a device takes its readings and rollups along, even while it is sending.

Readings and rollups have no foreign-key constraints in the database (see
`sensors.models.Reading`); these tests hold what the constraints held.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from sensors.models import Device, HourRollup, MinuteRollup, Reading
from sensors.services import device_credential_issue
from sensors.services.groups import Answer, Send, sends_commit
from sensors.services.processing import DEVICE_LOCK_CLASS
from sensors.services.storage import readings_store
from tests.conftest import requires_postgres
from tests.sensors.factories import DeviceFactory

BASE = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)


def _readings(count: int) -> list[object]:
    return [
        {"metric": "pm25", "time": (BASE + dt.timedelta(seconds=n)).isoformat(), "value": 20 + n}
        for n in range(count)
    ]


def _left_behind(device_id: int) -> list[int]:
    """Readings, minute and hour rollups that still name the device, counted in SQL."""
    with connection.cursor() as cursor:
        counts = []
        for table in ("sensors_reading", "sensors_minuterollup", "sensors_hourrollup"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE device_id = %s", [device_id])  # noqa: S608
            row = cursor.fetchone()
            counts.append(int(row[0]) if row else 0)
    return counts


@pytest.mark.django_db
def test_deleting_a_device_deletes_its_readings_and_rollups_only() -> None:
    doomed, kept = DeviceFactory.create(), DeviceFactory.create()
    for device in (doomed, kept):
        token = device_credential_issue(device=device)[1]
        assert sends_commit(sends=[Send(token=token, items=_readings(3))])[0].accepted == 3

    doomed_id = doomed.pk
    doomed.delete()

    assert _left_behind(doomed_id) == [0, 0, 0]
    assert Reading.objects.filter(device=kept).count() == 3
    assert MinuteRollup.objects.filter(device=kept).exists()
    assert HourRollup.objects.filter(device=kept).exists()


@pytest.mark.django_db
def test_rows_of_a_device_that_no_longer_exists_are_not_stored() -> None:
    device = DeviceFactory.create()
    gone = device.pk
    device.delete()
    metric_id = 2  # Any metric: the device alone decides.

    stored = readings_store(rows=[(gone, metric_id, BASE.astimezone(dt.UTC).isoformat(), 1.0)])

    assert stored == 0
    assert _left_behind(gone) == [0, 0, 0]


def _waiting_for_locks(count: int) -> int:
    """How many of this database's sessions wait for a lock, once `count` do (or 10 s pass)."""
    waiting = 0
    with connection.cursor() as cursor:
        for _attempt in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            row = cursor.fetchone()
            waiting = int(row[0]) if row else 0
            if waiting >= count:
                break
            time.sleep(0.05)
    return waiting


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_device_deleted_while_its_readings_wait_leaves_none_behind() -> None:
    device = DeviceFactory.create()
    device_id = device.pk
    token = device_credential_issue(device=device)[1]
    answers: list[Answer] = []

    def delete() -> None:
        try:
            Device.objects.filter(pk=device_id).delete()
        finally:
            connections.close_all()

    def send() -> None:
        try:
            answers.extend(sends_commit(sends=[Send(token=token, items=_readings(5))]))
        finally:
            connections.close_all()

    # The test holds the device's lock: the deletion queues for it first, then a group whose
    # token was checked before the device went. Without the deletion taking the lock, or the
    # group storing only rows of devices that exist, the readings would outlive their device.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [DEVICE_LOCK_CLASS, device_id])
        deleting = threading.Thread(target=delete)
        deleting.start()
        first = _waiting_for_locks(1)
        sending = threading.Thread(target=send)
        sending.start()
        both = _waiting_for_locks(2)
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DEVICE_LOCK_CLASS, device_id])
    deleting.join(30)
    sending.join(30)

    assert (first, both) == (1, 2)
    assert not Device.objects.filter(pk=device_id).exists()
    assert len(answers) == 1
    assert _left_behind(device_id) == [0, 0, 0]
