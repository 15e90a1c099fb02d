"""What scoring reads, all aggregated in SQL: the rollups of every sensor indicator at once,
answers, enrolments and reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q

from pilots.evaluation.plan import IndicatorSpec
from pilots.evaluation.scoring import (
    BASELINE,
    CONTROL,
    PERIOD,
    PILOT,
    DeviceWindows,
    device_windows,
    local_offset,
)
from pilots.models import Enrolment, Pilot, SurveyAnswer
from portal.reports.models import Report
from sensors.models import Device, HourRollup, Metric


def metric_ids() -> dict[str, int]:
    return dict(Metric.objects.values_list("code", "pk"))


def metrics_by_code() -> dict[str, Metric]:
    """Every metric by its code: a handful, read once for a whole run of scoring."""
    return {metric.code: metric for metric in Metric.objects.all()}


# What a statement of the set-wise read carries: its VALUES lists hold two parameters a device
# and seven a set of windows. SQLite caps the parameters of one statement; elsewhere a statement
# takes up to about 25,000 devices, which a city's night of scoring rarely passes.
WINDOW_PARAMS = 7
MEMBER_PARAMS = 2
STATEMENT_PARAMS = 50_000


@dataclass(frozen=True)
class _Windows:
    """What one sensor indicator reads: a metric over a baseline and a period, cut at `now`."""

    metric_id: int
    baseline_start: dt.datetime
    baseline_end: dt.datetime  # the baseline's end, or now if sooner
    period_start: dt.datetime
    period_end: dt.datetime  # the period's end, or now if sooner
    day_offset: int  # seconds from UTC to the city's local time


def _read_sql(windows: int, members: int) -> str:
    """The set-wise read of `members` devices over `windows` sets of windows, for this database.

    Each device is read once per set of windows, however many pilots use it (as their own device
    or as a control), through the rollups' device index.
    """
    table = connection.ops.quote_name(HourRollup._meta.db_table)
    window_rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * windows)
    member_rows = ", ".join(["(%s, %s)"] * members)
    values = f"""
        WITH w (id, metric_id, baseline_start, baseline_end, period_start, period_end,
                day_offset) AS (VALUES {window_rows}),
             m (window_id, device_id) AS (VALUES {member_rows})
    """
    inside = """
        r.device_id = m.device_id AND r.metric_id = w.metric_id
        AND r.bucket >= w.baseline_start AND r.bucket < w.period_end
        AND (r.bucket < w.baseline_end OR r.bucket >= w.period_start)
    """
    side = "CASE WHEN r.bucket < w.baseline_end THEN 0 ELSE 1 END"
    if connection.vendor == "postgresql":
        # The connection's zone is UTC, so the cast takes the shifted moment's UTC date. Each
        # device is grouped on its own (a lateral subquery): a few dozen groups at a time stay
        # in the CPU's cache, where one hash table of every device's days would not.
        day = "CAST(r.bucket + w.day_offset * INTERVAL '1 second' AS date)"
        return f"""{values}
            SELECT m.window_id, m.device_id, d.side, d.day, d.total, d.hours
            FROM m JOIN w ON w.id = m.window_id
            CROSS JOIN LATERAL (
                SELECT {side} AS side, {day} AS day, SUM(r.mean) AS total, COUNT(*) AS hours
                FROM {table} r WHERE {inside} GROUP BY 1, 2
            ) d
        """  # noqa: S608 - only placeholders and the model's own table name are formatted in.
    # SQLite, the embedded default, has no lateral joins; it groups the same rows in one go.
    day = "date(r.bucket, w.day_offset || ' seconds')"
    return f"""{values}
        SELECT m.window_id, m.device_id, {side}, {day}, SUM(r.mean), COUNT(*)
        FROM m JOIN w ON w.id = m.window_id JOIN {table} r ON {inside}
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - only placeholders and the model's own table name are formatted in.


def _read(
    windows: list[_Windows], members: list[tuple[int, int]]
) -> dict[tuple[int, int], DeviceWindows]:
    """Each (set of windows, device)'s rollups, grouped by window and local day in SQL.

    Members go in as few statements as the database allows: one on PostgreSQL for any city's
    night of scoring, a few on SQLite.
    """
    rows: dict[tuple[int, int], list[tuple[str, dt.date, float, int]]] = defaultdict(list)
    limit = connection.features.max_query_params or STATEMENT_PARAMS
    chunks: list[list[tuple[int, int]]] = [[]]
    used: set[int] = set()
    for member in sorted(members):
        cost = MEMBER_PARAMS + (WINDOW_PARAMS if member[0] not in used else 0)
        taken = len(chunks[-1]) * MEMBER_PARAMS + len(used) * WINDOW_PARAMS
        if chunks[-1] and taken + cost > limit:
            chunks.append([])
            used = set()
        chunks[-1].append(member)
        used.add(member[0])
    adapt = connection.ops.adapt_datetimefield_value
    days: dict[Any, dt.date] = {}
    for chunk in chunks:
        ids = sorted({window_id for window_id, _device in chunk})
        params: list[Any] = []
        for window_id in ids:
            window = windows[window_id]
            params += [
                window_id,
                window.metric_id,
                adapt(window.baseline_start),
                adapt(window.baseline_end),
                adapt(window.period_start),
                adapt(window.period_end),
                window.day_offset,
            ]
        for member in chunk:
            params += member
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(len(ids), len(chunk)), params)
            for window_id, device_id, side, day, total, hours in cursor.fetchall():
                if day not in days:  # SQLite gives the day as text
                    days[day] = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
                rows[window_id, device_id].append(
                    (BASELINE if side == 0 else PERIOD, days[day], float(total), hours)
                )
    return {key: device_windows(sorted(found)) for key, found in rows.items()}


def sensor_devices(
    indicators: Sequence[tuple[Pilot, IndicatorSpec]],
    *,
    now: dt.datetime,
    metric_ids: dict[str, int],
) -> dict[tuple[int, str], list[tuple[int, str, DeviceWindows]]]:
    """The devices of the sensor indicators of many pilots at once, each with its group (pilot
    or control) and its rollups in the indicator's windows; keyed by (pilot id, indicator code).

    The rollups are read set-wise: one statement on PostgreSQL joins them to a list of every
    pilot's devices and windows and sums them by device, window and local day in SQL; Python
    only hands each indicator its devices. Pilot devices are those the plan lists; controls are
    the listed control devices and the public devices of the control districts that are not the
    pilot's own. A device without rollups in the windows is left out.
    """
    slugs = {slug for _pilot, spec in indicators for slug in spec.control_districts}
    public: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    if slugs:
        for device_id, slug, pilot_id in Device.objects.filter(
            district__slug__in=slugs, visibility=Device.Visibility.PUBLIC
        ).values_list("pk", "district__slug", "pilot_id"):
            public[slug].append((device_id, pilot_id))
    window_ids: dict[_Windows, int] = {}
    members: set[tuple[int, int]] = set()
    wanted: dict[tuple[int, str], tuple[int, dict[int, str]]] = {}
    for pilot, spec in indicators:
        metric_id = metric_ids.get(spec.metric)
        if metric_id is None:
            wanted[pilot.pk, spec.code] = (-1, {})
            continue
        baseline_start, baseline_end, period_start, period_end = spec.windows()
        windows = _Windows(
            metric_id=metric_id,
            baseline_start=baseline_start,
            baseline_end=min(baseline_end, now),
            period_start=period_start,
            period_end=min(period_end, now),
            day_offset=int(local_offset(period_start).total_seconds()),
        )
        window_id = window_ids.setdefault(windows, len(window_ids))
        groups = dict.fromkeys(spec.pilot_devices, PILOT)
        for device_id in spec.control_devices:
            groups.setdefault(device_id, CONTROL)
        for slug in spec.control_districts:
            for device_id, owner in public[slug]:
                if owner != pilot.pk:
                    groups.setdefault(device_id, CONTROL)
        members.update((window_id, device_id) for device_id in groups)
        wanted[pilot.pk, spec.code] = (window_id, groups)
    found = _read(list(window_ids), list(members)) if members else {}
    return {
        key: [
            (device_id, group, found[window_id, device_id])
            for device_id, group in groups.items()
            if (window_id, device_id) in found
        ]
        for key, (window_id, groups) in wanted.items()
    }


def satisfaction_moments(
    *, pilot: Pilot, question_id: int
) -> tuple[int, float | None, float | None]:
    """Count, mean and mean square of the ratings given to one of the pilot's questions."""
    rating = F("rating")
    found = SurveyAnswer.objects.filter(
        question_id=question_id, question__survey__pilot=pilot, rating__isnull=False
    ).aggregate(
        count=Count("id"),
        mean=Avg(ExpressionWrapper(rating * 1.0, output_field=FloatField())),
        mean_square=Avg(ExpressionWrapper(rating * rating * 1.0, output_field=FloatField())),
    )
    return int(found["count"]), found["mean"], found["mean_square"]


def participation_counts(pilot: Pilot) -> tuple[int, int]:
    """How many residents ever took a place in the pilot, and how many still hold one."""
    found = Enrolment.objects.filter(pilot=pilot, joined_at__isnull=False).aggregate(
        joined=Count("id"),
        staying=Count("id", filter=Q(status=Enrolment.Status.PARTICIPATING)),
    )
    return int(found["joined"]), int(found["staying"])


def report_counts(pilot: Pilot) -> tuple[int, list[float]]:
    """Reports linked to the pilot, and the hours each closed one took to close."""
    reports = Report.objects.filter(pilot=pilot)
    closed = reports.filter(closed_at__isnull=False).values_list("created_at", "closed_at")
    hours = [
        (closed_at - created_at).total_seconds() / 3600.0
        for created_at, closed_at in closed
        if closed_at is not None
    ]
    return reports.count(), hours


def participant_count(pilot: Pilot) -> int:
    return Enrolment.objects.filter(pilot=pilot, status=Enrolment.Status.PARTICIPATING).count()
