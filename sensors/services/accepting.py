"""Accepting batches: what a device sent is checked, kept durably, and handed to the workers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.celery import enqueue_on_commit
from sensors.ingest import CheckedBatch, MetricBounds, check_readings, encode_rows
from sensors.models import Device, IngestBatch, Metric

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

    The caller must have authenticated `device` and must tell the device "accepted" only after
    this returns (the batch is committed by then, unless the caller holds an outer transaction).
    If the broker cannot take the processing task, the batch waits for the sweep
    (`ingest_batches_requeue`).
    """
    now = now or timezone.now()
    checked = check_readings(
        items,
        device_id=device.pk,
        device_name=device.name,
        metrics=metric_bounds(),
        now=now,
        max_age=dt.timedelta(seconds=settings.SENSORS_MAX_READING_AGE),
    )
    if checked.rows:
        batch = IngestBatch.objects.create(
            device=device,
            source=source,
            received_at=now,
            count=len(checked.rows),
            readings=encode_rows(checked.rows),
        )
        enqueue_on_commit(PROCESS_TASK, batch.pk)
    return checked


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
