"""Plans, devices and hourly rollups for evaluation tests."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from pilots.evaluation.models import EvaluationPlan
from pilots.models import Pilot
from sensors.models import Device, HourRollup
from tests.portal.factories import district
from tests.sensors.factories import DeviceFactory, metric

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
BASELINE_START = NOW - dt.timedelta(days=28)
PERIOD_START = NOW - dt.timedelta(days=14)


def sensor_indicator(
    pilot_ids: list[int],
    control_ids: list[int],
    *,
    code: str = "pm25",
    target: float = -0.10,
    weight: float = 1.0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "sensor_effect",
        "weight": weight,
        "target": target,
        "metric": "pm25",
        "better": "lower",
        "pilot_devices": pilot_ids,
        "control_devices": control_ids,
        "baseline_start": BASELINE_START.isoformat(),
        "baseline_end": PERIOD_START.isoformat(),
        "period_start": PERIOD_START.isoformat(),
        "period_end": NOW.isoformat(),
        **extra,
    }


def devices(count: int, *, slug: str = "gangnam-gu", pilot: Pilot | None = None) -> list[Device]:
    made: list[Device] = [
        DeviceFactory.create(district=district(slug), pilot=pilot) for _ in range(count)
    ]
    return made


def hourly_rollups(
    device: Device,
    *,
    effect: float = 0.0,
    seed: int = 0,
    start: dt.datetime = BASELINE_START,
    end: dt.datetime = NOW,
    period_start: dt.datetime = PERIOD_START,
    level: float = 30.0,
    cycle: float = 6.0,
) -> int:
    """Hourly PM2.5 rollups: a daily cycle, a device offset, noise, and `effect` in the period.

    `level` and `cycle` (the daily swing, negative to peak at night) make a district unlike
    the others."""
    rng = random.Random(seed * 7919 + device.pk)
    offset = rng.gauss(0, 3)
    pm25 = metric("pm25")
    rows = []
    bucket = start
    while bucket < end:
        value = level + offset + cycle * math.sin(2 * math.pi * bucket.hour / 24)
        value += rng.gauss(0, 1.5)
        if bucket >= period_start:
            value += effect
        rows.append(
            HourRollup(
                device=device,
                metric=pm25,
                bucket=bucket,
                count=6,
                min=value - 1,
                max=value + 1,
                sum=value * 6,
                mean=value,
            )
        )
        bucket += dt.timedelta(hours=1)
    HourRollup.objects.bulk_create(rows)
    return len(rows)


def plan(pilot: Pilot, indicators: list[dict[str, Any]]) -> EvaluationPlan:
    """A plan straight into the table (the service is tested on its own)."""
    created: EvaluationPlan = EvaluationPlan.objects.create(pilot=pilot, indicators=indicators)
    return created
