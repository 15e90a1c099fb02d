"""Rollups: count, minimum, maximum, sum and mean per device and metric, by minute and by hour.

Ingest on PostgreSQL adds each reading to its buckets in the statement that stores it
(`storage.readings_store`), counting exactly the rows that went in. Here whole buckets are
recomputed from the rows beneath them (hours from minutes): on SQLite after each batch, and
wherever readings were written by other means (the demo's history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncHour, TruncMinute

from sensors.models import HourRollup, MinuteRollup, Reading

UTC = dt.UTC


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
