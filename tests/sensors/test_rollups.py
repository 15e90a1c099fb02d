"""Minute and hour rollups: right numbers, and the same numbers however often a batch is redone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sensors.models import Device, HourRollup, IngestBatch, MinuteRollup
from sensors.services import ingest_batch_accept, ingest_batch_process

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2026, 11, 25, 0, 58, 0, tzinfo=dt.UTC)


def accept(device: Device, items: list[dict[str, Any]]) -> int:
    ingest_batch_accept(
        device=device, items=items, source=IngestBatch.Source.HTTP, now=BASE + dt.timedelta(hours=1)
    )
    return IngestBatch.objects.order_by("-id").values_list("id", flat=True)[0]


def at(seconds: int) -> str:
    return (BASE + dt.timedelta(seconds=seconds)).isoformat()


READINGS = [
    {"metric": "pm25", "time": at(0), "value": 10},
    {"metric": "pm25", "time": at(30), "value": 20},
    {"metric": "pm25", "time": at(59), "value": 60},
    {"metric": "pm25", "time": at(60), "value": 5},
    {"metric": "pm25", "time": at(150), "value": 7},
    {"metric": "pm10", "time": at(10), "value": 40},
]


def minute_rows(device: Device) -> list[tuple[str, dt.datetime, int, float, float, float, float]]:
    return list(
        MinuteRollup.objects.filter(device=device)
        .order_by("metric__code", "bucket")
        .values_list("metric__code", "bucket", "count", "min", "max", "sum", "mean")
    )


def hour_rows(device: Device) -> list[tuple[str, dt.datetime, int, float, float, float]]:
    return list(
        HourRollup.objects.filter(device=device)
        .order_by("metric__code", "bucket")
        .values_list("metric__code", "bucket", "count", "min", "max", "mean")
    )


def test_readings_are_rolled_up_per_minute(public_device: Device) -> None:
    ingest_batch_process(batch_id=accept(public_device, READINGS))

    minute = dt.timedelta(minutes=1)
    assert minute_rows(public_device) == [
        ("pm10", BASE, 1, 40, 40, 40, 40),
        ("pm25", BASE, 3, 10, 60, 90, 30),
        ("pm25", BASE + minute, 1, 5, 5, 5, 5),
        ("pm25", BASE + 2 * minute, 1, 7, 7, 7, 7),
    ]


def test_readings_are_rolled_up_per_hour_across_the_hour_boundary(public_device: Device) -> None:
    ingest_batch_process(batch_id=accept(public_device, READINGS))

    hour = BASE.replace(minute=0)
    assert hour_rows(public_device) == [
        ("pm10", hour, 1, 40, 40, 40),
        ("pm25", hour, 4, 5, 60, 23.75),
        ("pm25", hour + dt.timedelta(hours=1), 1, 7, 7, 7),
    ]


def test_a_later_batch_in_the_same_minute_joins_its_rollup(public_device: Device) -> None:
    ingest_batch_process(batch_id=accept(public_device, READINGS[:2]))
    ingest_batch_process(batch_id=accept(public_device, READINGS[2:3]))

    assert minute_rows(public_device) == [("pm25", BASE, 3, 10, 60, 90, 30)]


def test_redoing_a_batch_does_not_count_anything_twice(public_device: Device) -> None:
    first = accept(public_device, READINGS)
    kept = IngestBatch.objects.get(pk=first).readings
    ingest_batch_process(batch_id=first)
    before = (minute_rows(public_device), hour_rows(public_device))

    # A redelivered task finds its batch gone; a device re-sending the batch is told it was
    # received, and nothing is kept again.
    assert ingest_batch_process(batch_id=1_000_000) == 0
    resent = ingest_batch_accept(
        device=public_device, items=READINGS, source=IngestBatch.Source.HTTP, now=BASE
    )
    assert resent.accepted == 0
    # Readings kept twice all the same (by a version that did not refuse repeats) store nothing.
    again = IngestBatch.objects.create(
        device=public_device,
        source=IngestBatch.Source.HTTP,
        received_at=BASE,
        count=len(READINGS),
        readings=kept,
    )
    assert ingest_batch_process(batch_id=again.pk) == 0

    assert (minute_rows(public_device), hour_rows(public_device)) == before


def test_a_batch_interrupted_midway_is_redone_in_full(
    public_device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sensors.services import processing

    batch_id = accept(public_device, READINGS)

    def crash(**kwargs: object) -> None:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(processing, "alerts_evaluate", crash)
    with pytest.raises(RuntimeError):
        ingest_batch_process(batch_id=batch_id)
    assert IngestBatch.objects.filter(pk=batch_id).exists()
    assert not MinuteRollup.objects.exists()

    monkeypatch.undo()
    assert ingest_batch_process(batch_id=batch_id) == len(READINGS)
    assert not IngestBatch.objects.filter(pk=batch_id).exists()
    assert sum(row[2] for row in minute_rows(public_device)) == len(READINGS)
