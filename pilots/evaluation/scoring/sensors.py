"""Sensor effects: from device-day sums of the hourly rollups to a difference-in-differences.

The estimator itself is in `stats.difference_in_differences`; this part gathers each device's
windows, leaves out devices that reported too little, judges the result against its target and
makes the daily series of the pilot's chart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from pilots.evaluation import stats
from pilots.evaluation.plan import IndicatorSpec
from pilots.evaluation.scoring.results import (
    BASELINE,
    CONTROL,
    MIN_DAYS_PER_WINDOW,
    MIN_DEVICE_COVERAGE,
    MIN_DEVICES_PER_GROUP,
    PERIOD,
    PILOT,
    IndicatorResult,
    Status,
)


@dataclass(frozen=True)
class DeviceDay:
    """One device's rollups of one day inside one window, as the database aggregates them."""

    device_id: int
    group: str  # PILOT or CONTROL
    window: str  # BASELINE or PERIOD
    day: dt.date
    total: float  # the sum of the hourly means
    hours: int


@dataclass(frozen=True)
class DeviceWindows:
    """One device's rollups inside an indicator's two windows, gathered from its device-days:
    all the estimator needs of it.

    Made once for each device and set of windows, however many pilots read the device (as their
    own or as a control), so that scoring a city's pilots does not redo it pilot by pilot.
    """

    totals: dict[str, tuple[float, float]]  # window -> the sum of hourly means, and the hours
    days: dict[str, int]  # window -> days with data
    daily: tuple[tuple[dt.date, float], ...]  # each device-day's mean, in order


def device_windows(rows: Iterable[tuple[str, dt.date, float, int]]) -> DeviceWindows:
    """Gather one device's (window, day, sum of hourly means, hours) rows, in their order."""
    totals = {BASELINE: 0.0, PERIOD: 0.0}
    hours = {BASELINE: 0.0, PERIOD: 0.0}
    days = {BASELINE: 0, PERIOD: 0}
    daily: list[tuple[dt.date, float]] = []
    for window, day, total, count in rows:
        totals[window] += total
        hours[window] += count
        days[window] += 1
        if count:
            daily.append((day, total / count))
    return DeviceWindows(
        totals={window: (totals[window], hours[window]) for window in (BASELINE, PERIOD)},
        days=days,
        daily=tuple(daily),
    )


def local_offset(moment: dt.datetime) -> dt.timedelta:
    """The city's offset from UTC at `moment`; a sensor indicator's days are the city's days,
    counted with the offset at the start of its period (Seoul keeps no daylight saving time)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).utcoffset() or dt.timedelta()


def _whole_days(start: dt.datetime, end: dt.datetime, offset: dt.timedelta) -> set[dt.date]:
    """The local days that lie wholly between `start` and `end`."""
    first, last = start + offset, end + offset
    day = first.date() if first.time() == dt.time.min else first.date() + dt.timedelta(days=1)
    days = set()
    while day < last.date():
        days.add(day)
        day += dt.timedelta(days=1)
    return days


def _window_hours(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> float:
    return max((min(end, now) - start).total_seconds() / 3600.0, 0.0)


def assess_sensor(
    spec: IndicatorSpec, rows: Iterable[DeviceDay], *, now: dt.datetime
) -> tuple[IndicatorResult, dict[str, Any]]:
    """The difference-in-differences of a sensor indicator from device-day rows.

    `rows` are the device-day aggregates of the hourly rollups inside the baseline and period
    windows, in order; see `assess_devices`.
    """
    devices: dict[int, tuple[str, list[tuple[str, dt.date, float, int]]]] = {}
    for row in rows:
        devices.setdefault(row.device_id, (row.group, []))[1].append(
            (row.window, row.day, row.total, row.hours)
        )
    return assess_devices(
        spec,
        [(device, group, device_windows(days)) for device, (group, days) in devices.items()],
        now=now,
    )


def assess_devices(
    spec: IndicatorSpec,
    devices: Iterable[tuple[int, str, DeviceWindows]],
    *,
    now: dt.datetime,
) -> tuple[IndicatorResult, dict[str, Any]]:
    """The difference-in-differences of a sensor indicator, and the daily series for its chart.

    `devices` are the indicator's devices, each with its group (PILOT or CONTROL) and its
    rollups in the two windows; a device whose coverage of either window falls short is left
    out of the estimate. The chart's series keeps only the city's whole days inside a window:
    a day the window starts or ends in (a baseline starting at 09:00, the day still under way)
    would average only some of its hours, and the daily cycle would show as a false step.
    """
    baseline_start, baseline_end, period_start, period_end = spec.windows()
    result = IndicatorResult(code=spec.code, kind=spec.kind, weight=spec.weight, target=spec.target)
    needed = {
        BASELINE: MIN_DEVICE_COVERAGE * _window_hours(baseline_start, baseline_end, now),
        PERIOD: MIN_DEVICE_COVERAGE * _window_hours(period_start, period_end, now),
    }
    counted = sorted(
        (
            (device, group, windows)
            for device, group, windows in devices
            if all(
                windows.totals[window][1] > 0 and windows.totals[window][1] >= needed[window]
                for window in (BASELINE, PERIOD)
            )
        ),
        key=lambda device: device[0],
    )
    changes: dict[str, list[stats.DeviceChange]] = {PILOT: [], CONTROL: []}
    daily: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
    for _device, group, windows in counted:
        baseline_total, baseline_hours = windows.totals[BASELINE]
        period_total, period_hours = windows.totals[PERIOD]
        changes[group].append(
            stats.DeviceChange(
                baseline_mean=baseline_total / baseline_hours,
                period_mean=period_total / period_hours,
            )
        )
        for day, mean in windows.daily:
            daily[group, day].append(mean)
    days_before = max(
        (windows.days[BASELINE] for _d, group, windows in counted if group == PILOT), default=0
    )
    days_after = max(
        (windows.days[PERIOD] for _d, group, windows in counted if group == PILOT), default=0
    )
    result.details = {
        "metric": spec.metric,
        "better": spec.better,
        "pilot_devices": len(changes[PILOT]),
        "control_devices": len(changes[CONTROL]),
        "days_before": days_before,
        "days_after": days_after,
        "min_devices_per_group": MIN_DEVICES_PER_GROUP,
        "min_days": MIN_DAYS_PER_WINDOW,
    }
    offset = local_offset(period_start)
    whole = _whole_days(baseline_start, min(baseline_end, now), offset) | _whole_days(
        period_start, min(period_end, now), offset
    )
    series_days = sorted({day for (_group, day) in daily} & whole)
    series = {
        "metric": spec.metric,
        "days": [day.isoformat() for day in series_days],
        "pilot": [_daily_mean(daily.get((PILOT, day))) for day in series_days],
        "control": [_daily_mean(daily.get((CONTROL, day))) for day in series_days],
        # The city's local date and time the period starts (the chart shades from there).
        "period_start": (period_start + offset).date().isoformat(),
        "period_starts_at": (period_start + offset).replace(tzinfo=None).isoformat(),
        "whole_days": True,
    }
    if len(changes[PILOT]) < 2 or len(changes[CONTROL]) < 2:
        return result, series
    did = stats.difference_in_differences(changes[PILOT], changes[CONTROL])
    result.estimate, result.ci_low, result.ci_high = did.estimate, did.ci_low, did.ci_high
    result.relative_estimate = did.relative_estimate
    result.relative_ci_low = did.relative_ci_low
    result.relative_ci_high = did.relative_ci_high
    result.details["counterfactual_mean"] = did.counterfactual_mean
    result.details["df"] = did.df
    result.enough_data = (
        len(changes[PILOT]) >= MIN_DEVICES_PER_GROUP
        and len(changes[CONTROL]) >= MIN_DEVICES_PER_GROUP
        and days_before >= MIN_DAYS_PER_WINDOW
        and days_after >= MIN_DAYS_PER_WINDOW
        and did.relative_estimate is not None
    )
    if not result.enough_data:
        result.status = Status.NO_DATA
        return result, series
    if did.relative_ci_low is None or did.relative_ci_high is None or did.relative_estimate is None:
        return result, series
    # Met: the effect is clearly in the better direction (the interval excludes no effect) and
    # its estimate reaches the target. Not met: even the best end of the interval falls short.
    if spec.better == "lower":
        clearly_better = did.ci_high < 0
        result.target_met = clearly_better and did.relative_estimate <= spec.target
        ruled_out = did.relative_ci_low > spec.target
    else:
        clearly_better = did.ci_low > 0
        result.target_met = clearly_better and did.relative_estimate >= spec.target
        ruled_out = did.relative_ci_high < spec.target
    result.status = (
        Status.MET if result.target_met else Status.NOT_MET if ruled_out else Status.UNCERTAIN
    )
    return result, series


def _daily_mean(values: list[float] | None) -> float | None:
    return round(math.fsum(values) / len(values), 4) if values else None
