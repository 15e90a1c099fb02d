"""From aggregates to judgements: each indicator's estimate, and the overall recommendation.

Everything here is pure: it takes numbers the database has already aggregated (device-day means
of the hourly rollups, counts of answers and enrolments) and returns results, so that the same
functions serve the nightly scoring and the simulations that show the intervals are honest.
"""

from __future__ import annotations

from pilots.evaluation.scoring.indicators import (
    assess_cost,
    assess_participation,
    assess_reports,
    assess_satisfaction,
)
from pilots.evaluation.scoring.results import (
    BASELINE,
    CONTROL,
    MIN_ANSWERS,
    MIN_DAYS_PER_WINDOW,
    MIN_DEVICE_COVERAGE,
    MIN_DEVICES_PER_GROUP,
    MIN_PARTICIPANTS,
    PERIOD,
    PILOT,
    Z95,
    IndicatorResult,
    Status,
)
from pilots.evaluation.scoring.sensors import (
    DeviceDay,
    DeviceWindows,
    assess_devices,
    assess_sensor,
    device_windows,
    local_offset,
)
from pilots.evaluation.scoring.verdict import SCALE_UP_SHARE, STOP_SHARE, Verdict, recommend

__all__ = [
    "BASELINE",
    "CONTROL",
    "MIN_ANSWERS",
    "MIN_DAYS_PER_WINDOW",
    "MIN_DEVICES_PER_GROUP",
    "MIN_DEVICE_COVERAGE",
    "MIN_PARTICIPANTS",
    "PERIOD",
    "PILOT",
    "SCALE_UP_SHARE",
    "STOP_SHARE",
    "Z95",
    "DeviceDay",
    "DeviceWindows",
    "IndicatorResult",
    "Status",
    "Verdict",
    "assess_cost",
    "assess_devices",
    "assess_participation",
    "assess_reports",
    "assess_satisfaction",
    "assess_sensor",
    "device_windows",
    "local_offset",
    "recommend",
]
