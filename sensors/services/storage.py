"""Storing readings: one statement for a whole batch, on PostgreSQL and on the embedded SQLite.

On PostgreSQL one statement inserts the rows, skipping any already stored, and adds the new ones
to their minute and hour rollups; elsewhere `bulk_create` skips them and the touched buckets are
recomputed (`rollups`). Both paths live here, side by side, so that they stay one behaviour: the
rollups are always the count, minimum, maximum, sum and mean of the rows stored.

`readings_stored` reads, in one query, the values stored for the readings a group brings, so
that repeats are answered as such; `corrections_apply` replaces stored values that devices
correct, keeping the old ones (`ReadingCorrection`).
"""

from __future__ import annotations

import datetime as dt

import orjson
from django.db import connection
from django.db.models import Q

from portal.arrays import array_literal
from sensors.ingest import Key
from sensors.models import Device, Reading, ReadingCorrection
from sensors.services.rollups import Span, rollups_refresh_spans

Row = tuple[int, int, str, float]  # device id, metric id, ISO 8601 time, value
UTC = dt.UTC


# Inserts rows given as one JSON array of [device id, metric id, ISO 8601 time, value], skipping
# any already stored, and adds exactly the rows that went in to their minute and hour rollups. A
# reading sent twice is thus stored and counted once, whichever transaction gets it first: a
# second insert of the same key waits for the first to commit and then skips it. The rows of a
# device deleted since its token was checked are skipped too: the tables have no constraint
# that would refuse them (see `sensors.models.Reading`), and the caller holds the device's lock,
# which its deletion waits for. JSON travels as one string that orjson writes in C; Python
# lists would be quoted element by element.
def _rollup_cte(name: str, table: str, unit: str) -> str:
    """A CTE adding the readings just inserted (`new`) to `table`'s buckets of one `unit`.

    Built once at import from the constants below; nothing a caller sends reaches it.
    """
    return f"""{name} AS (
    INSERT INTO {table} AS r (device_id, metric_id, bucket, count, min, max, sum, mean)
    SELECT device_id, metric_id, date_trunc('{unit}', time, 'UTC'),
           count(*), min(value), max(value), sum(value), avg(value)
    FROM new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (device_id, metric_id, bucket) DO UPDATE SET
        count = r.count + EXCLUDED.count, min = least(r.min, EXCLUDED.min),
        max = greatest(r.max, EXCLUDED.max), sum = r.sum + EXCLUDED.sum,
        mean = (r.sum + EXCLUDED.sum) / (r.count + EXCLUDED.count)
)"""  # noqa: S608


STORE_AND_ROLL_UP_SQL = f"""
WITH new AS (
    INSERT INTO sensors_reading (device_id, metric_id, time, value)
    SELECT (r->>0)::bigint, (r->>1)::bigint, (r->>2)::timestamptz, (r->>3)::float8
    FROM jsonb_array_elements(%s::jsonb) AS r
    WHERE EXISTS (SELECT FROM sensors_device AS d WHERE d.id = (r->>0)::bigint)
    ON CONFLICT (device_id, metric_id, time) DO NOTHING
    RETURNING device_id, metric_id, time, value
), {_rollup_cte("minutes", "sensors_minuterollup", "minute")}, \
{_rollup_cte("hours", "sensors_hourrollup", "hour")}
SELECT count(*) FROM new
"""  # noqa: S608


def readings_store(*, rows: list[Row]) -> int:
    """Insert readings, skipping any already stored, and bring their rollups up to date.

    Returns how many readings were new. Must run inside a transaction that holds the devices'
    locks.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        # bulk_create cannot tell which rows it skipped, so the touched buckets are recomputed
        # from the stored rows instead; counting and recomputing are fine at embedded scale.
        # As on PostgreSQL, the rows of a device deleted meanwhile are skipped.
        existing = set(
            Device.objects.filter(pk__in={row[0] for row in rows}).values_list("pk", flat=True)
        )
        rows = [row for row in rows if row[0] in existing]
        devices = Reading.objects.filter(device_id__in=existing)
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
        rollups_refresh_spans(spans=_spans(rows))
        return devices.count() - before
    with connection.cursor() as cursor:
        cursor.execute(STORE_AND_ROLL_UP_SQL, [orjson.dumps(rows).decode()])
        result = cursor.fetchone()
    return int(result[0]) if result else 0


# The stored values of the given [device id, metric id, ISO 8601 time] keys, by their place in
# the list (from 1): one descent of the readings' index per key. The keys travel as one JSON
# string, and only places and values come back, so no time is converted on either side. The
# LATERAL subquery with its LIMIT keeps each key a probe of its own: the planner cannot turn it
# into a join that reads the table whole, which it would choose whenever its statistics say the
# table is small (just after an ANALYZE of an empty table, say).
STORED_SQL = """
SELECT k.n, r.value
FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS k(key, n)
CROSS JOIN LATERAL (
    SELECT r.value FROM sensors_reading AS r
    WHERE r.device_id = (k.key->>0)::bigint AND r.metric_id = (k.key->>1)::bigint
      AND r.time = (k.key->>2)::timestamptz
    LIMIT 1
) AS r
"""


def readings_stored(*, keys: dict[int, list[Key]]) -> dict[int, dict[Key, float]]:
    """The values stored for these metrics and times of each device, by device, in one query.

    Times are UTC in ISO 8601 as `sensors.ingest` writes them, and come back so. For an answer
    that stays true until commit, the caller must hold the devices' locks.
    """
    found: dict[int, dict[Key, float]] = {device_id: {} for device_id in keys}
    flat = [(device, metric, time) for device, pairs in keys.items() for metric, time in pairs]
    if not flat:
        return found
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(STORED_SQL, [orjson.dumps(flat).decode()])
            for place, value in cursor.fetchall():
                device, metric, time = flat[place - 1]
                found[device][(metric, time)] = value
        return found
    wanted = {(device, metric, dt.datetime.fromisoformat(at)) for device, metric, at in flat}
    for device, metric, moment, value in Reading.objects.filter(
        device_id__in={key[0] for key in wanted}, time__in={key[2] for key in wanted}
    ).values_list("device_id", "metric_id", "time", "value"):
        if (device, metric, moment) in wanted:
            found[device][(metric, moment.astimezone(UTC).isoformat())] = value
    return found


def corrections_apply(*, rows: list[Row], source: str, now: dt.datetime) -> None:
    """Give stored readings the values of these rows, keeping each old value; roll them up again.

    A row with nothing stored under its key is stored as a new reading. Rows apply in order, so
    of two corrections of one reading the later wins, and both are kept. Corrections are rare
    and deliberate, so this path favours plainness over speed. The caller holds the devices'
    locks.
    """
    if not rows:
        return
    for device_id, metric_id, time, value in rows:
        reading, created = Reading.objects.get_or_create(
            device_id=device_id,
            metric_id=metric_id,
            time=dt.datetime.fromisoformat(time),
            defaults={"value": value},
        )
        if created or reading.value == value:
            continue
        ReadingCorrection.objects.create(
            reading=reading,
            old_value=reading.value,
            new_value=value,
            corrected_at=now,
            source=source,
        )
        reading.value = value
        reading.save(update_fields=["value"])
    rollups_refresh_spans(spans=_spans(rows))


def _spans(rows: list[Row]) -> dict[tuple[int, int], Span]:
    """The first and last time of each device's metric among `rows`."""
    spans: dict[tuple[int, int], Span] = {}
    for device_id, metric_id, time, _value in rows:
        moment = dt.datetime.fromisoformat(time)
        start, end = spans.get((device_id, metric_id), (moment, moment))
        spans[(device_id, metric_id)] = (min(start, moment), max(end, moment))
    return spans


def devices_mark_seen(
    *, seen: dict[int, dt.datetime], counts: dict[int, tuple[dt.datetime, int]] | None = None
) -> None:
    """Move each device's last-seen time forward to the time given for it, never back.

    `counts` are devices' readings in a minute (`limits`: the minute and the count), written in
    the same statement, so that a group's devices' rows are updated once, not twice.
    """
    counts = counts or {}
    if connection.vendor != "postgresql":
        for device_id, moment in seen.items():
            Device.objects.filter(pk=device_id).filter(
                Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=moment)
            ).update(last_seen_at=moment)
        for device_id, (minute, count) in counts.items():
            Device.objects.filter(pk=device_id).update(ingest_minute=minute, ingest_count=count)
        return
    ids = sorted(set(seen) | set(counts))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sensors_device AS d SET "
            "last_seen_at = CASE WHEN d.last_seen_at IS NULL OR d.last_seen_at < s.seen "
            "THEN s.seen ELSE d.last_seen_at END, "
            "ingest_minute = coalesce(s.minute, d.ingest_minute), "
            "ingest_count = coalesce(s.count, d.ingest_count) "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::integer[]) "
            "AS s(id, seen, minute, count) "
            "WHERE d.id = s.id "
            "AND (s.minute IS NOT NULL OR d.last_seen_at IS NULL OR d.last_seen_at < s.seen)",
            [
                array_literal(ids),
                array_literal(seen.get(pk) for pk in ids),
                array_literal(counts[pk][0] if pk in counts else None for pk in ids),
                array_literal(counts[pk][1] if pk in counts else None for pk in ids),
            ],
        )
