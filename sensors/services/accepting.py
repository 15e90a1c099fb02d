"""Accepting batches: what a device sent is checked, kept durably, and handed to the workers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.celery import enqueue_on_commit
from sensors.ingest import (
    CheckedBatch,
    Key,
    MetricBounds,
    check_readings,
    decode_rows,
    encode_rows,
)
from sensors.models import Device, IngestBatch, Metric
from sensors.services.limits import device_readings_count
from sensors.services.processing import devices_lock
from sensors.services.storage import readings_stored

# The task that processes a batch (`sensors.tasks`), named rather than imported: the task
# imports the services, never the other way round.
PROCESS_TASK = "sensors.tasks.process_ingest_batch"


def metric_bounds() -> dict[str, MetricBounds]:
    return {
        code: MetricBounds(id=pk, code=code, min_value=low, max_value=high)
        for pk, code, low, high in Metric.objects.values_list(
            "id", "code", "min_value", "max_value"
        )
    }


@transaction.atomic
def ingest_batch_accept(
    *,
    device: Device,
    items: list[Any],
    source: IngestBatch.Source,
    now: dt.datetime | None = None,
) -> CheckedBatch:
    """Check `items` from `device` and durably keep the good ones for processing.

    A reading that repeats one stored, or one waiting in the device's kept batches, is refused
    as a `duplicate` (unless it corrects its value).

    The caller must have authenticated `device` and must tell the device "accepted" only after
    this returns (the batch is committed by then, unless the caller holds an outer transaction).
    If the broker cannot take the processing task, the batch waits for the sweep
    (`ingest_batches_requeue`). Raises `LimitReached` when the device has sent its readings
    for this minute (`limits`).
    """
    now = now or timezone.now()
    device_readings_count(device_id=device.pk, count=len(items), now=now)
    checked = check_readings(
        items,
        device_id=device.pk,
        device_name=device.name,
        metrics=metric_bounds(),
        now=now,
        max_age=dt.timedelta(seconds=settings.SENSORS_MAX_READING_AGE),
    )
    if checked.taken:
        # Under the device's lock, what is stored and what waits in its batches cannot change
        # before this batch is committed: the repeats found are all there are.
        devices_lock([device.pk])
        checked.repeats_refuse(_received(device_id=device.pk, checked=checked))
    if checked.taken:
        batch = IngestBatch.objects.create(
            device=device,
            source=source,
            received_at=now,
            count=checked.accepted,
            readings=encode_rows(checked.rows, checked.corrections),
        )
        enqueue_on_commit(PROCESS_TASK, batch.pk)
    return checked


def _received(*, device_id: int, checked: CheckedBatch) -> dict[Key, float]:
    """The device's values for the batch's metrics and times: stored, or waiting in a batch.

    Waiting batches are read in the order they were accepted, as the workers store them, so a
    correction waiting after its reading gives the value that will be stored.
    """
    wanted = checked.keys
    received = readings_stored(keys={device_id: wanted})[device_id]
    waiting = IngestBatch.objects.filter(device_id=device_id).order_by("pk")
    wanted_set = set(wanted)
    for (text,) in waiting.values_list("readings"):
        rows, corrections = decode_rows(text)
        for metric_id, time, value in rows:
            # A reading stored or waiting already keeps its value; a repeat was not stored.
            if (metric_id, time) in wanted_set:
                received.setdefault((metric_id, time), value)
        for metric_id, time, value in corrections:
            if (metric_id, time) in wanted_set:
                received[(metric_id, time)] = value
    return received


def ingest_batches_requeue(*, now: dt.datetime | None = None) -> int:
    """Enqueue again every batch still waiting after `SENSORS_REQUEUE_AFTER` seconds.

    Outside a transaction (as the periodic task runs it) the batches are enqueued at once.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SENSORS_REQUEUE_AFTER)
    ids = list(
        IngestBatch.objects.filter(received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("id", flat=True)[:10_000]
    )
    # A batch still waiting because the workers are behind, not because its task was lost, would
    # otherwise be enqueued again every minute; once per few periods is enough for a lost task.
    memory = settings.SENSORS_REQUEUE_AFTER * 5
    requeued = [
        batch_id for batch_id in ids if cache.add(f"sensors:requeued:{batch_id}", 1, memory)
    ]
    for batch_id in requeued:
        enqueue_on_commit(PROCESS_TASK, batch_id)
    return len(requeued)
