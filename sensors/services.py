"""Writes of the sensor pipeline: credentials, accepting batches, storing, rolling up, alerting.

How a reading travels, and why nothing acknowledged is lost:

1. A device sends a batch over HTTP (`sensors.api_ingest`) or MQTT (`mqtt_ingest`). Its token is
   checked (`device_credential_check`) and every reading is checked (`sensors.ingest`).
2. `ingest_batch_accept` writes the accepted readings as one `IngestBatch` row and commits, and only
   then is the device told "accepted" (HTTP 202, or the MQTT PUBACK, which paho sends when the
   message callback returns). On commit it enqueues `sensors.process_ingest_batch`.
3. A Celery worker runs `ingest_batch_process`: in one transaction, under a per-device lock, it
   copies the readings into `Reading` (COPY into a staging table and `INSERT ... ON CONFLICT DO
   NOTHING` on PostgreSQL, `bulk_create(ignore_conflicts=True)` elsewhere), moves the device's
   last-seen time, recomputes the minute and hour rollups of the buckets the batch touched from the
   raw rows, opens and closes alerts, and deletes the batch row. Other batches waiting meanwhile
   whose devices it can lock at once are taken along into the same transaction and the same
   set-wise statements, so many small batches cost little more than one. After commit it pushes
   the readings and alert changes to the live feeds.
4. If the broker is down when the batch is enqueued, or a worker dies mid-batch, the batch row is
   still there: the task is late-acknowledged and redelivered, and `ingest_batches_requeue` (every
   minute, from Celery beat) re-enqueues batches older than `SENSORS_REQUEUE_AFTER`. Running a
   batch twice stores each reading once (the unique device+metric+time key) and gives the same
   rollups (they are recomputed, never incremented), so redelivery is harmless.

Alert rules compare the newest reading of a metric with the lower bound of Korea's air-quality
bands, *at or above* the bound: PM2.5 "bad" from 36 µg/m³ and "very bad" from 76, PM10 "bad" from
81 and "very bad" from 151 (the bands are 36-75 and 76+, 81-150 and 151+), and a heat wave from
33 °C. An alert closes when a newer reading is below its bound. A device not heard from for
`SENSORS_SILENT_AFTER` seconds gets a "device silent" alert, closed when it speaks again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import TruncHour, TruncMinute
from django.utils import timezone
from django.utils.translation import gettext as _

from sensors import realtime
from sensors.ingest import CheckedBatch, MetricBounds, check_readings, decode_rows, encode_rows
from sensors.models import (
    Alert,
    Device,
    DeviceCredential,
    HourRollup,
    IngestBatch,
    Metric,
    MinuteRollup,
    Reading,
)
from sensors.selectors import alert_payload

logger = logging.getLogger(__name__)

UTC = dt.UTC
# Writing `last_used_at` on every request would turn each read of a credential into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
# First key of the PostgreSQL advisory locks that serialise the processing of one device.
DEVICE_LOCK_CLASS = 7_303


class CredentialError(Exception):
    """A token that does not open the door; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- Credentials ------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_credential_issue(*, device: Device, label: str = "") -> tuple[DeviceCredential, str]:
    """A new credential for `device`, and its token, which is not kept and cannot be shown again.

    Earlier credentials stay valid until revoked, so a device can be moved to a new token without
    a gap. `label` says who the token is for.
    """
    token = secrets.token_urlsafe(32)
    credential = DeviceCredential.objects.create(
        device=device, token_hash=token_hash(token), prefix=token[:8], label=label
    )
    return credential, token


@transaction.atomic
def device_credentials_revoke(*, credentials: Iterable[DeviceCredential]) -> int:
    """Revoke the credentials; already revoked ones keep their original time."""
    ids = [credential.pk for credential in credentials]
    return DeviceCredential.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def device_credential_check(*, token: str, now: dt.datetime | None = None) -> DeviceCredential:
    """The live credential for `token`, with its device; raises `CredentialError`."""
    now = now or timezone.now()
    if not token:
        raise CredentialError("missing_token", _("No device token was given."))
    credential = (
        DeviceCredential.objects.select_related("device")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if credential is None:
        raise CredentialError("invalid_token", _("The device token is not valid."))
    if credential.revoked_at is not None:
        raise CredentialError("revoked_token", _("The device token has been revoked."))
    if credential.device.status == Device.Status.RETIRED:
        raise CredentialError("device_retired", _("The device has been retired."))
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_PRECISION:
        DeviceCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
    return credential


# --- Accepting --------------------------------------------------------------------------------


def metric_bounds() -> dict[str, MetricBounds]:
    return {
        code: MetricBounds(id=pk, code=code, min_value=low, max_value=high)
        for pk, code, low, high in Metric.objects.values_list(
            "id", "code", "min_value", "max_value"
        )
    }


def _enqueue(batch_id: int) -> None:
    from sensors.tasks import process_ingest_batch

    try:
        process_ingest_batch.apply_async((batch_id,), retry=False)
    except Exception:
        # The batch is committed; the periodic sweep hands it to a worker once the broker is back.
        logger.exception("Could not enqueue ingest batch %s; it will be requeued", batch_id)


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
        batch_id = batch.pk
        transaction.on_commit(lambda: _enqueue(batch_id))
    return checked


def ingest_batches_requeue(*, now: dt.datetime | None = None) -> int:
    """Enqueue again every batch still waiting after `SENSORS_REQUEUE_AFTER` seconds."""
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
        _enqueue(batch_id)
    return len(requeued)


# --- Processing -------------------------------------------------------------------------------


def _lock_device(device_id: int) -> None:
    """Serialise processing per device until the transaction ends.

    Rollups are recomputed from the committed raw rows; two batches of one device recomputing the
    same bucket at once could each miss the other's rows. SQLite runs one writer at a time anyway.
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


Row = tuple[int, int, str, float]  # device id, metric id, ISO 8601 time, value


def readings_store(*, rows: list[Row]) -> int:
    """Insert readings, skipping any already stored; returns how many were new.

    Must run inside a transaction (the PostgreSQL staging table empties on commit).
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        # bulk_create cannot tell which rows it skipped; counting is fine at embedded scale.
        devices = Reading.objects.filter(device_id__in={row[0] for row in rows})
        before = devices.count()
        Reading.objects.bulk_create(
            [
                Reading(
                    device_id=device_id,
                    metric_id=metric_id,
                    time=dt.datetime.fromisoformat(time),
                    value=value,
                )
                for device_id, metric_id, time, value in rows
            ],
            ignore_conflicts=True,
            batch_size=1_000,
        )
        return devices.count() - before
    with connection.cursor() as cursor:
        # One staging table per connection, emptied by every commit; COPY cannot skip conflicts
        # itself, so rows go through it and then into the real table.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sensors_reading_staging "
            "(device_id bigint, metric_id bigint, time timestamptz, value double precision) "
            "ON COMMIT DELETE ROWS"
        )
        with cursor.copy(
            "COPY sensors_reading_staging (device_id, metric_id, time, value) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            "INSERT INTO sensors_reading (device_id, metric_id, time, value) "
            "SELECT device_id, metric_id, time, value FROM sensors_reading_staging "
            "ON CONFLICT (device_id, metric_id, time) DO NOTHING"
        )
        inserted: int = cursor.rowcount
        cursor.execute("TRUNCATE sensors_reading_staging")
    return inserted


def _devices_mark_seen(*, seen: dict[int, dt.datetime]) -> None:
    """Move each device's last-seen time forward to the time given for it, never back."""
    if connection.vendor != "postgresql":
        for device_id, moment in seen.items():
            Device.objects.filter(pk=device_id).filter(
                Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=moment)
            ).update(last_seen_at=moment)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sensors_device AS d SET last_seen_at = s.seen "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS s(id, seen) "
            "WHERE d.id = s.id AND (d.last_seen_at IS NULL OR d.last_seen_at < s.seen)",
            [list(seen), list(seen.values())],
        )


def _floor_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


# Each takes four arrays of the same length: device ids, metric ids, and the start and end of the
# buckets to recompute for that device and metric (one entry per device and metric).
ROLLUP_MINUTES_SQL = """
INSERT INTO sensors_minuterollup (device_id, metric_id, bucket, count, min, max, sum, mean)
SELECT r.device_id, r.metric_id, date_trunc('minute', r.time, 'UTC') AS minute,
       count(*), min(r.value), max(r.value), sum(r.value), avg(r.value)
FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::timestamptz[])
     AS s(device_id, metric_id, start_at, end_at)
JOIN sensors_reading r
  ON r.device_id = s.device_id AND r.metric_id = s.metric_id
 AND r.time >= s.start_at AND r.time < s.end_at
GROUP BY r.device_id, r.metric_id, minute
ORDER BY r.device_id, r.metric_id, minute
ON CONFLICT (device_id, metric_id, bucket) DO UPDATE SET
    count = EXCLUDED.count, min = EXCLUDED.min, max = EXCLUDED.max,
    sum = EXCLUDED.sum, mean = EXCLUDED.mean
"""

ROLLUP_HOURS_SQL = """
INSERT INTO sensors_hourrollup (device_id, metric_id, bucket, count, min, max, sum, mean)
SELECT m.device_id, m.metric_id, date_trunc('hour', m.bucket, 'UTC') AS hour,
       sum(m.count), min(m.min), max(m.max), sum(m.sum), sum(m.sum) / sum(m.count)
FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::timestamptz[])
     AS s(device_id, metric_id, start_at, end_at)
JOIN sensors_minuterollup m
  ON m.device_id = s.device_id AND m.metric_id = s.metric_id
 AND m.bucket >= s.start_at AND m.bucket < s.end_at
GROUP BY m.device_id, m.metric_id, hour
ORDER BY m.device_id, m.metric_id, hour
ON CONFLICT (device_id, metric_id, bucket) DO UPDATE SET
    count = EXCLUDED.count, min = EXCLUDED.min, max = EXCLUDED.max,
    sum = EXCLUDED.sum, mean = EXCLUDED.mean
"""

Span = tuple[dt.datetime, dt.datetime]


def rollups_refresh(
    *, device_id: int, metric_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> None:
    """Recompute the minute and hour rollups of a device's metrics for readings in [start, end]."""
    rollups_refresh_spans(spans={(device_id, metric_id): (start, end) for metric_id in metric_ids})


def rollups_refresh_spans(*, spans: dict[tuple[int, int], Span]) -> None:
    """Recompute the minute and hour rollups of readings in [start, end] per device and metric.

    Whole buckets are recomputed from the rows beneath them, so the result does not depend on how
    often or in which order batches are processed. The caller holds the devices' locks.
    """
    minutes: dict[tuple[int, int], Span] = {}
    hours: dict[tuple[int, int], Span] = {}
    for key, (start, end) in sorted(spans.items()):
        minute_start = _floor_minute(start)
        minute_end = _floor_minute(end) + dt.timedelta(minutes=1)
        minutes[key] = (minute_start, minute_end)
        hours[key] = (
            _floor_hour(minute_start),
            _floor_hour(minute_end - dt.timedelta(microseconds=1)) + dt.timedelta(hours=1),
        )
    if not minutes:
        return
    if connection.vendor == "postgresql":
        # The same computation as below, for every device at once, without the rows making a
        # round trip through Python.
        with connection.cursor() as cursor:
            cursor.execute(ROLLUP_MINUTES_SQL, _span_arrays(minutes))
            cursor.execute(ROLLUP_HOURS_SQL, _span_arrays(hours))
        return
    for (device_id, metric_id), (start, end) in minutes.items():
        _minute_rollups_refresh(device_id=device_id, metric_id=metric_id, start=start, end=end)
    for (device_id, metric_id), (start, end) in hours.items():
        _hour_rollups_refresh(device_id=device_id, metric_id=metric_id, start=start, end=end)


def _span_arrays(spans: dict[tuple[int, int], Span]) -> list[list[Any]]:
    keys = list(spans)
    return [
        [device_id for device_id, _metric_id in keys],
        [metric_id for _device_id, metric_id in keys],
        [spans[key][0] for key in keys],
        [spans[key][1] for key in keys],
    ]


def _minute_rollups_refresh(
    *, device_id: int, metric_id: int, start: dt.datetime, end: dt.datetime
) -> None:
    minutes = (
        Reading.objects.filter(
            device_id=device_id, metric_id=metric_id, time__gte=start, time__lt=end
        )
        .annotate(bucket=TruncMinute("time", tzinfo=UTC))
        .values("bucket")
        .annotate(n=Count("id"), low=Min("value"), high=Max("value"), total=Sum("value"))
        .order_by("bucket")
    )
    _rollups_upsert(
        MinuteRollup, device_id=device_id, metric_id=metric_id, rows=minutes, key="bucket"
    )


def _hour_rollups_refresh(
    *, device_id: int, metric_id: int, start: dt.datetime, end: dt.datetime
) -> None:
    hours = (
        MinuteRollup.objects.filter(
            device_id=device_id, metric_id=metric_id, bucket__gte=start, bucket__lt=end
        )
        .annotate(hour=TruncHour("bucket", tzinfo=UTC))
        .values("hour")
        .annotate(n=Sum("count"), low=Min("min"), high=Max("max"), total=Sum("sum"))
        .order_by("hour")
    )
    _rollups_upsert(HourRollup, device_id=device_id, metric_id=metric_id, rows=hours, key="hour")


RollupModel = TypeVar("RollupModel", MinuteRollup, HourRollup)


def _rollups_upsert(
    model: type[RollupModel],
    *,
    device_id: int,
    metric_id: int,
    rows: Iterable[Mapping[str, Any]],
    key: str,
) -> None:
    """Write aggregated rows (bucket under `key`, n, low, high, total) over what buckets held."""
    model.objects.bulk_create(
        [
            model(
                device_id=device_id,
                metric_id=metric_id,
                bucket=row[key],
                count=row["n"],
                min=row["low"],
                max=row["high"],
                sum=row["total"],
                mean=row["total"] / row["n"],
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["device", "metric", "bucket"],
        update_fields=["count", "min", "max", "sum", "mean"],
    )


@dataclass(frozen=True)
class AlertRule:
    rule: Alert.Rule
    metric: str
    threshold: float
    level: Alert.Level


ALERT_RULES = [
    AlertRule(Alert.Rule.PM25_BAD, "pm25", 36, Alert.Level.WARNING),
    AlertRule(Alert.Rule.PM25_VERY_BAD, "pm25", 76, Alert.Level.CRITICAL),
    AlertRule(Alert.Rule.PM10_BAD, "pm10", 81, Alert.Level.WARNING),
    AlertRule(Alert.Rule.PM10_VERY_BAD, "pm10", 151, Alert.Level.CRITICAL),
    AlertRule(Alert.Rule.HEAT_WAVE, "temperature", 33, Alert.Level.WARNING),
]


def _alert_text(rule: AlertRule, value: float, unit: str) -> str:
    return _("%(rule)s: %(value)s %(unit)s, at or above %(threshold)s %(unit)s.") % {
        "rule": Alert.Rule(rule.rule).label,
        "value": round(value, 1),
        "unit": unit,
        "threshold": rule.threshold,
    }


NEWEST_VALUES_SQL = """
SELECT s.device_id, s.metric_id,
       (SELECT r.value FROM sensors_reading r
         WHERE r.device_id = s.device_id AND r.metric_id = s.metric_id
         ORDER BY r.time DESC LIMIT 1)
FROM unnest(%s::bigint[], %s::bigint[]) AS s(device_id, metric_id)
"""


def _newest_values(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """The newest stored value of each (device, metric)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                NEWEST_VALUES_SQL,
                [[device_id for device_id, _m in pairs], [metric_id for _d, metric_id in pairs]],
            )
            return {
                (device_id, metric_id): value
                for device_id, metric_id, value in cursor.fetchall()
                if value is not None
            }
    newest = {}
    for device_id, metric_id in pairs:
        value = (
            Reading.objects.filter(device_id=device_id, metric_id=metric_id)
            .order_by("-time")
            .values_list("value", flat=True)
            .first()
        )
        if value is not None:
            newest[(device_id, metric_id)] = value
    return newest


def alerts_evaluate(
    *, metrics: dict[int, Metric], touched: Iterable[tuple[int, int]], now: dt.datetime
) -> list[Alert]:
    """Open and close the reading-based alerts of the (device, metric) pairs a batch touched.

    Each rule looks at the newest stored reading of its metric, so a late batch of old readings
    does not reopen an alert that newer readings closed. Returns the alerts that changed.
    """
    rules_of: dict[int, list[AlertRule]] = {}
    for metric_id, metric in metrics.items():
        rules = [rule for rule in ALERT_RULES if rule.metric == metric.code]
        if rules:
            rules_of[metric_id] = rules
    pairs = sorted(pair for pair in set(touched) if pair[1] in rules_of)
    if not pairs:
        return []
    newest = _newest_values(pairs)
    open_alerts = {
        (alert.device_id, alert.rule): alert
        for alert in Alert.objects.filter(
            device_id__in={device_id for device_id, _metric_id in pairs},
            rule__in=[rule.rule for rule in ALERT_RULES],
            closed_at__isnull=True,
        )
    }
    changed: list[Alert] = []
    for device_id, metric_id in pairs:
        value = newest.get((device_id, metric_id))
        if value is None:
            continue
        for rule in rules_of[metric_id]:
            alert = open_alerts.get((device_id, rule.rule))
            if value >= rule.threshold and alert is None:
                metric = metrics[metric_id]
                changed.append(
                    Alert.objects.create(
                        device_id=device_id,
                        metric=metric,
                        rule=rule.rule,
                        level=rule.level,
                        value=value,
                        message=_alert_text(rule, value, metric.unit),
                        opened_at=now,
                    )
                )
            elif value < rule.threshold and alert is not None:
                alert.closed_at = now
                alert.save(update_fields=["closed_at"])
                changed.append(alert)
    return changed


def _close_silent_alerts(*, device_ids: Iterable[int], now: dt.datetime) -> list[Alert]:
    alerts = list(
        Alert.objects.filter(
            device_id__in=list(device_ids), rule=Alert.Rule.DEVICE_SILENT, closed_at__isnull=True
        )
    )
    if alerts:
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(closed_at=now)
        for alert in alerts:
            alert.closed_at = now
    return alerts


def _push(readings: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> None:
    # Live feeds are best effort: a reading is stored whether or not anyone is watching.
    try:
        realtime.push_readings(readings)
        realtime.push_alerts(alerts)
    except Exception:
        logger.exception("Could not push readings to the live feeds")


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
    devices = {batch.device_id: batch.device for batch in batches}
    rows: list[Row] = []
    seen: dict[int, dt.datetime] = {}
    spans: dict[tuple[int, int], Span] = {}
    for batch in batches:
        seen[batch.device_id] = max(batch.received_at, seen.get(batch.device_id, batch.received_at))
        for metric_id, time, value in decode_rows(batch.readings):
            rows.append((batch.device_id, metric_id, time, value))
            moment = dt.datetime.fromisoformat(time)
            start, end = spans.get((batch.device_id, metric_id), (moment, moment))
            spans[(batch.device_id, metric_id)] = (min(start, moment), max(end, moment))
    stored = readings_store(rows=rows)
    _devices_mark_seen(seen=seen)
    rollups_refresh_spans(spans=spans)
    metrics = Metric.objects.in_bulk()
    changed = alerts_evaluate(metrics=metrics, touched=spans, now=now)
    changed += _close_silent_alerts(device_ids=devices, now=now)
    IngestBatch.objects.filter(pk__in=[batch.pk for batch in batches]).delete()

    readings = [
        realtime.reading_message(
            device_id=device_id,
            metric=metrics[metric_id].code,
            time=time,
            value=value,
            latitude=devices[device_id].latitude,
            longitude=devices[device_id].longitude,
            district_id=devices[device_id].district_id,
            pilot_id=devices[device_id].pilot_id,
            public=devices[device_id].visibility == Device.Visibility.PUBLIC,
        )
        for device_id, metric_id, time, value in rows
    ]
    for alert in changed:
        alert.device = devices[alert.device_id]
    alerts = [alert_payload(alert) for alert in changed]
    transaction.on_commit(lambda: _push(readings, alerts))
    return stored


@transaction.atomic
def devices_check_silent(*, now: dt.datetime | None = None) -> list[Alert]:
    """Open "device silent" alerts for active devices not heard from lately; close stale ones.

    Devices never heard from are not silent: they have not been switched on yet. Every open
    alert of a device no longer active (in maintenance, retired) closes too.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SENSORS_SILENT_AFTER)
    changed: list[Alert] = []
    already = Alert.objects.filter(rule=Alert.Rule.DEVICE_SILENT, closed_at__isnull=True)
    silent = (
        Device.objects.filter(status=Device.Status.ACTIVE, last_seen_at__lt=cutoff)
        .exclude(pk__in=already.values("device_id"))
        .select_for_update(skip_locked=True)
    )
    for device in silent:
        assert device.last_seen_at is not None  # noqa: S101 - filtered above.
        minutes = int((now - device.last_seen_at).total_seconds() // 60)
        alert = Alert.objects.create(
            device=device,
            rule=Alert.Rule.DEVICE_SILENT,
            level=Alert.Level.WARNING,
            message=_("No readings for %(minutes)d minutes.") % {"minutes": minutes},
            opened_at=now,
        )
        alert.device = device
        changed.append(alert)
    recovered = already.filter(device__last_seen_at__gte=cutoff)
    # A device taken out of service measures nothing more, so nothing would ever close its
    # alerts: they close with the service.
    out_of_service = Alert.objects.filter(closed_at__isnull=True).exclude(
        device__status=Device.Status.ACTIVE
    )
    for alert in (recovered | out_of_service).select_related("device"):
        alert.closed_at = now
        alert.save(update_fields=["closed_at"])
        changed.append(alert)
    messages = [alert_payload(alert) for alert in changed]
    transaction.on_commit(lambda: _push([], messages))
    return changed
