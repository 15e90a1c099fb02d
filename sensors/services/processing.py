"""Processing readings: store, roll up, check alerts, push live; and the workers' batches.

How a reading travels, and why nothing acknowledged is lost:

1. A device sends readings over MQTT (`sensors.mqtt`) or HTTP (`sensors.ingest_asgi` under
   ASGI, the DRF view `sensors.api_ingest` under WSGI). Its token is checked and every reading
   is checked (`sensors.ingest`).
2. Group commit (MQTT, and HTTP under ASGI): `groups.sends_commit` takes what many devices sent
   and, in one transaction, locks their devices (`devices_lock`) and runs `readings_process`:
   store the readings and add them to their rollups (`storage`), move the devices' last-seen
   times, open and close alerts (`alerts`); after commit, push to the live feeds. Only then is
   each sender told "accepted" (the HTTP 202, or the MQTT acknowledgement to the broker).
3. Kept for the workers (HTTP under WSGI): `accepting.ingest_batch_accept` writes the accepted
   readings as one `IngestBatch` row and commits before the 202, and enqueues
   `sensors.process_ingest_batch`. A Celery worker runs `ingest_batch_process`: under the
   device's lock, with other small batches waiting whose devices it can lock at once, it runs
   `readings_process` and deletes the batch rows. If the broker is down or a worker dies, the
   batch row is still there: the task is late-acknowledged and redelivered, and
   `accepting.ingest_batches_requeue` (every minute, from Celery beat) re-enqueues batches older
   than `SENSORS_REQUEUE_AFTER`.

Storing anything twice is harmless: readings are unique per device, metric and time, and the
rollups count only the rows that went in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from portal.arrays import array_literal
from sensors.ingest import decode_rows
from sensors.live.messages import alert_payload, reading_message
from sensors.live.push import push_on_commit
from sensors.models import Device, IngestBatch, Metric
from sensors.services.alerts import alerts_evaluate, silent_alerts_close
from sensors.services.storage import Row, corrections_apply, devices_mark_seen, readings_store

PUBLIC = Device.Visibility.PUBLIC

# First key of the PostgreSQL advisory locks that serialise the processing of one device.
DEVICE_LOCK_CLASS = 7_303


def _lock_device(device_id: int) -> None:
    """Serialise processing per device until the transaction ends.

    Alerts follow the newest stored reading, and on SQLite rollups are recomputed from the stored
    rows: two transactions of one device could each miss the other's uncommitted rows. SQLite
    runs one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DEVICE_LOCK_CLASS, device_id])


# A worker that finds other batches waiting takes them along into the same transaction, up to
# these bounds: a thousand devices sending a few readings each second then cost a few
# transactions a second rather than a thousand, and no transaction holds its locks for long.
MAX_READINGS_PER_TRANSACTION = 5_000
MAX_BATCHES_PER_TRANSACTION = 500
# Only small batches are taken along: a large one costs little more alone than together, and
# left to its own task it keeps the other workers busy in parallel instead of waiting for the
# devices this one has locked.
MAX_READINGS_TAKEN_ALONG = 100


def _claim_batches(*, batch_id: int, head_device: int, head_count: int) -> list[IngestBatch]:
    """The batch, with other waiting batches whose devices this transaction could lock at once.

    The caller holds `head_device`'s lock. Other devices' locks are only tried, never waited for,
    so workers cannot deadlock; a device another worker is processing keeps its batches for it.
    Every batch is read after its device's lock is held: one read before may be gone by now.
    """
    chosen = [batch_id]
    if connection.vendor == "postgresql":
        waiting = (
            IngestBatch.objects.exclude(pk=batch_id)
            .filter(count__lte=MAX_READINGS_TAKEN_ALONG)
            .order_by("pk")
            .values_list("pk", "device_id", "count")[:MAX_BATCHES_PER_TRANSACTION]
        )
        budget = MAX_READINGS_PER_TRANSACTION - head_count
        candidates: list[tuple[int, int]] = []
        for pk, device_id, count in waiting:
            if count > budget:
                break
            budget -= count
            candidates.append((pk, device_id))
        others = sorted({device_id for _pk, device_id in candidates} - {head_device})
        locked = {head_device}
        if others:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT d FROM unnest(%s::bigint[]) AS d "
                    "WHERE pg_try_advisory_xact_lock(%s, d::integer)",
                    [others, DEVICE_LOCK_CLASS],
                )
                locked.update(device_id for (device_id,) in cursor.fetchall())
        chosen += [pk for pk, device_id in candidates if device_id in locked]
    return list(IngestBatch.objects.select_related("device").filter(pk__in=chosen).order_by("pk"))


@transaction.atomic
def ingest_batch_process(*, batch_id: int, now: dt.datetime | None = None) -> int:
    """Store, roll up and check an accepted batch, then forget it; returns readings newly stored.

    Other batches waiting meanwhile are taken along (`_claim_batches`), so their own tasks may
    find nothing left to do. Safe to run any number of times, concurrently or after a crash: a
    batch already processed is gone, and redoing one gives the same rows, rollups and alerts.
    """
    now = now or timezone.now()
    head = IngestBatch.objects.filter(pk=batch_id).values_list("device_id", "count").first()
    if head is None:
        return 0
    if connection.vendor == "postgresql":
        # This commit need not wait for the disk: if the server crashes before the WAL is
        # flushed, the whole transaction is lost together with the deletion of the batches,
        # which the acknowledged (and synchronously committed) batch rows then bring back.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
    head_device, head_count = head
    _lock_device(head_device)
    batches = _claim_batches(batch_id=batch_id, head_device=head_device, head_count=head_count)
    if not batches:
        return 0
    received = []
    for batch in batches:
        rows, corrections = decode_rows(batch.readings)
        received.append(
            Received(
                device_id=batch.device_id,
                received_at=batch.received_at,
                rows=rows,
                corrections=corrections,
                source=batch.source,
            )
        )
    stored = readings_process(received=received, now=now)
    IngestBatch.objects.filter(pk__in=[batch.pk for batch in batches]).delete()
    return stored


@dataclass(frozen=True)
class Received:
    """Checked readings of one device, as `(metric id, UTC time in ISO 8601, value)`.

    `corrections` replace the values stored for their metric and time; `source` says how they
    came (`IngestBatch.Source`), for the history of corrections.
    """

    device_id: int
    received_at: dt.datetime
    rows: list[tuple[int, str, float]]
    corrections: list[tuple[int, str, float]] = field(default_factory=list)
    source: str = IngestBatch.Source.HTTP


def devices_lock(device_ids: Iterable[int]) -> None:
    """Take the processing locks of these devices, waiting for each, until the transaction ends.

    Always in ascending order, so two transactions that want some of the same devices queue
    behind each other instead of deadlocking.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, d::integer) "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS s(d, n) ORDER BY n",
            [DEVICE_LOCK_CLASS, array_literal(sorted(set(device_ids)))],
        )


def readings_process(
    *,
    received: list[Received],
    now: dt.datetime,
    counts: dict[int, tuple[dt.datetime, int]] | None = None,
) -> int:
    """Store, roll up and check readings, and push them to the live feeds after commit.

    Corrections replace stored values (keeping the old ones) and go to the feeds like new
    readings. Returns how many readings were new. The caller must hold the devices' locks
    (`devices_lock`, or `_lock_device` for each) in its transaction. `counts`, devices' readings
    this minute (`limits`), are written with the last-seen times; each device of `counts` must
    be one of `received`'s.
    """
    rows: list[Row] = []
    corrected: list[Row] = []
    seen: dict[int, dt.datetime] = {}
    for batch in received:
        device_id = batch.device_id
        seen[device_id] = max(batch.received_at, seen.get(device_id, batch.received_at))
        rows += [(device_id, metric_id, time, value) for metric_id, time, value in batch.rows]
        corrected += [(device_id, *row) for row in batch.corrections]
    if not rows and not corrected:
        return 0
    stored = readings_store(rows=rows)
    # After the new rows, which a correction taken along in the same transaction may correct.
    for batch in received:
        corrections_apply(
            rows=[(batch.device_id, *row) for row in batch.corrections],
            source=batch.source,
            now=now,
        )
    rows += corrected
    devices_mark_seen(seen=seen, counts=counts)
    metrics = Metric.objects.in_bulk()
    touched = {(device_id, metric_id) for device_id, metric_id, _time, _value in rows}
    changed = alerts_evaluate(metrics=metrics, touched=touched, now=now)
    changed += silent_alerts_close(device_ids=seen, now=now)

    # What the feeds need of each device, read in one query without building model instances.
    places = {
        device_id: (latitude, longitude, district_id, pilot_id, visibility == PUBLIC)
        for device_id, latitude, longitude, district_id, pilot_id, visibility in (
            Device.objects.filter(pk__in_array=list(seen)).values_list(
                "id", "latitude", "longitude", "district_id", "pilot_id", "visibility"
            )
        )
    }
    codes = {metric_id: metric.code for metric_id, metric in metrics.items()}
    readings = [
        reading_message(
            device_id=device_id,
            metric=codes[metric_id],
            time=time,
            value=value,
            latitude=place[0],
            longitude=place[1],
            district_id=place[2],
            pilot_id=place[3],
            public=place[4],
        )
        for device_id, metric_id, time, value in rows
        if (place := places.get(device_id)) is not None
    ]
    if changed:
        devices = Device.objects.in_bulk({alert.device_id for alert in changed})
        for alert in changed:
            alert.device = devices[alert.device_id]
    push_on_commit(readings=readings, alerts=[alert_payload(alert) for alert in changed])
    return stored
