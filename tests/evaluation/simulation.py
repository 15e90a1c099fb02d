"""Synthetic pilots built like the city's real hourly data, for testing the estimator.

Each pilot has 3 to 10 pilot devices and 3 to 10 controls measuring one metric hourly over a
baseline and a pilot period. Every device sees the same city-wide signal (a daily cycle, weather
that drifts from day to day, now and then a dust event), scaled by a gain of its own, plus an
offset of its own and AR(1) noise of its own; hours and whole days go missing. The pilot devices
move by a known effect during the period. The hourly values are then aggregated into the same
device-day rows the database returns, and go through the same functions as real data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from pilots.evaluation.plan import IndicatorSpec, Kind
from pilots.evaluation.scoring import BASELINE, CONTROL, PERIOD, PILOT, DeviceDay

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
LEVEL = 30.0


@dataclass(frozen=True)
class Synthetic:
    spec: IndicatorSpec
    rows: list[DeviceDay]
    now: dt.datetime
    effect: float


def spec_for(baseline_days: int, period_days: int, target: float = -0.10) -> IndicatorSpec:
    baseline_end = START + dt.timedelta(days=baseline_days)
    return IndicatorSpec(
        code="pm25",
        kind=Kind.SENSOR_EFFECT,
        weight=1.0,
        target=target,
        metric="pm25",
        better="lower",
        pilot_devices=(1,),
        control_devices=(2,),
        baseline_start=START,
        baseline_end=baseline_end,
        period_start=baseline_end,
        period_end=baseline_end + dt.timedelta(days=period_days),
    )


def synthetic_pilot(
    rng: random.Random,
    *,
    effect: float,
    pilot_devices: int | None = None,
    control_devices: int | None = None,
    baseline_days: int = 14,
    period_days: int = 14,
    phi: float = 0.9,
) -> Synthetic:
    days = baseline_days + period_days
    n_pilot = pilot_devices if pilot_devices is not None else rng.randint(3, 10)
    n_control = control_devices if control_devices is not None else rng.randint(3, 10)
    # The city's weather: an AR(1) across days, with a dust event on about one day in twenty.
    weather: list[float] = []
    level = 0.0
    for _day in range(days):
        level = 0.7 * level + rng.gauss(0.0, 5.0)
        weather.append(level + (25.0 if rng.random() < 0.05 else 0.0))
    cycle = [8.0 * math.sin(2 * math.pi * (hour - 8) / 24) for hour in range(24)]
    innovation = 3.0 * math.sqrt(1 - phi * phi)
    rows: list[DeviceDay] = []
    for device in range(n_pilot + n_control):
        group = PILOT if device < n_pilot else CONTROL
        offset = rng.gauss(0.0, 5.0)
        gain = 1.0 + rng.gauss(0.0, 0.1)
        noise = rng.gauss(0.0, 3.0)
        for day in range(days):
            window = BASELINE if day < baseline_days else PERIOD
            shift = effect if (group == PILOT and window == PERIOD) else 0.0
            outage = rng.random() < 0.05
            total, hours = 0.0, 0
            for hour in range(24):
                noise = phi * noise + rng.gauss(0.0, innovation)
                if outage or rng.random() < 0.1:
                    continue
                total += LEVEL + offset + gain * (weather[day] + cycle[hour]) + noise + shift
                hours += 1
            if hours:
                rows.append(
                    DeviceDay(
                        device_id=device,
                        group=group,
                        window=window,
                        day=(START + dt.timedelta(days=day)).date(),
                        total=total,
                        hours=hours,
                    )
                )
    spec = spec_for(baseline_days, period_days)
    assert spec.period_end is not None
    return Synthetic(spec=spec, rows=rows, now=spec.period_end, effect=effect)
