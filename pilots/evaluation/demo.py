"""Evaluation's part of the demo: three pilots whose plans and rollups show each outcome.

`air-quality-bus-stops` clearly lowers fine dust (scale up), `heat-shelter-sensors` changes
nothing (stop), and `noise-map-nightlife` has too few devices and days yet (not enough evidence).
The hourly rollups are synthetic and written straight into the table, as a demo's are; each
device's history is fixed by its name, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import translation

from pilots.evaluation import services
from pilots.evaluation.models import EvaluationPlan, Scorecard
from pilots.models import Pilot
from portal.languages import text_in
from portal.models import District
from sensors.demo import demo_device_place
from sensors.models import Device, HourRollup, Metric


@dataclass(frozen=True)
class DemoEvaluation:
    slug: str
    metric: str
    kind: str
    level: float
    effect: float  # added to the pilot devices' values during the period
    target: float
    pilot_devices: int
    control_devices: int
    control_district: str
    period_days: int  # how long the period has run by `now`


DEMO_EVALUATIONS = [
    DemoEvaluation(
        "air-quality-bus-stops",
        "pm25",
        Device.Kind.AIR_QUALITY,
        28.0,
        -6.0,
        -0.10,
        6,
        6,
        "seongdong-gu",
        21,
    ),
    DemoEvaluation(
        "heat-shelter-sensors",
        "temperature",
        Device.Kind.WEATHER,
        27.0,
        0.0,
        -0.05,
        5,
        5,
        "dongjak-gu",
        21,
    ),
    DemoEvaluation(
        "noise-map-nightlife",
        "noise",
        Device.Kind.NOISE,
        58.0,
        -4.0,
        -0.05,
        2,
        4,
        "gwangjin-gu",
        4,
    ),
]
BASELINE_DAYS = 21


def _display_names(district: District, kind: str, number: int, *, control: bool) -> dict[str, str]:
    """What pages call a demo evaluation device, in Korean and English:
    "성동구 미세먼지 측정소 비교 지점 2", "Seongdong-gu fine-dust station, control site 2"."""
    with translation.override("ko"):
        kind_ko = str(Device.Kind(kind).label)
    with translation.override("en"):
        kind_en = str(Device.Kind(kind).label).lower()
    role_ko, role_en = ("비교 지점", "control site") if control else ("시범 지점", "pilot site")
    return {
        "display_name_ko": f"{text_in(district, 'name', 'ko')} {kind_ko} {role_ko} {number}",
        "display_name_en": f"{text_in(district, 'name', 'en')} {kind_en}, {role_en} {number}",
    }


def _device(
    name: str, kind: str, district: District, pilot: Pilot | None, *, number: int
) -> Device:
    return demo_device_place(
        name=name,
        kind=kind,
        district=district,
        pilot=pilot,
        names=_display_names(district, kind, number, control=pilot is None),
    )


def _rollups(
    device: Device,
    metric: Metric,
    *,
    demo: DemoEvaluation,
    start: dt.datetime,
    period_start: dt.datetime,
    end: dt.datetime,
    weather: list[float],
    effect: float,
) -> list[HourRollup]:
    rng = random.Random(device.name)  # noqa: S311 - synthetic demo values.
    offset = rng.gauss(0, demo.level * 0.08)
    noise = 0.0
    rows = []
    bucket = start
    while bucket < end:
        noise = 0.85 * noise + rng.gauss(0, demo.level * 0.02)
        day = (bucket - start).days
        cycle = math.sin(2 * math.pi * (bucket.hour - 9) / 24) * demo.level * 0.15
        value = demo.level + offset + weather[day] + cycle + noise
        if bucket >= period_start:
            value += effect
        value = max(value, 0.0)
        if rng.random() > 0.05:
            rows.append(
                HourRollup(
                    device=device,
                    metric=metric,
                    bucket=bucket,
                    count=6,
                    min=value,
                    max=value,
                    sum=value * 6,
                    mean=value,
                )
            )
        bucket += dt.timedelta(hours=1)
    return rows


def _plan(
    demo: DemoEvaluation,
    pilot_ids: list[int],
    control_ids: list[int],
    *,
    baseline_start: dt.datetime,
    period_start: dt.datetime,
) -> list[dict[str, Any]]:
    return [
        {
            "code": demo.metric,
            "kind": "sensor_effect",
            "weight": 3,
            "target": demo.target,
            "metric": demo.metric,
            "better": "lower",
            "pilot_devices": pilot_ids,
            "control_devices": control_ids,
            "baseline_start": baseline_start.isoformat(),
            "baseline_end": period_start.isoformat(),
            "period_start": period_start.isoformat(),
            "period_end": (period_start + dt.timedelta(days=90)).isoformat(),
        },
    ]


def seed_evaluations(pilots: dict[str, Pilot], *, now: dt.datetime) -> int:
    """Plans, devices and rollups for the three demo evaluations, each scored once; returns how
    many pilots were scored."""
    metrics = {metric.code: metric for metric in Metric.objects.all()}
    today = now.replace(minute=0, second=0, microsecond=0)
    scored = 0
    for demo in DEMO_EVALUATIONS:
        pilot = pilots.get(demo.slug)
        if pilot is None or demo.metric not in metrics:
            continue
        period_start = (today - dt.timedelta(days=demo.period_days)).replace(hour=0)
        start = period_start - dt.timedelta(days=BASELINE_DAYS)
        home = pilot.districts.order_by("code").first()
        control_district = District.objects.filter(slug=demo.control_district).first()
        if home is None or control_district is None:
            continue
        weather_rng = random.Random(demo.slug)  # noqa: S311 - synthetic demo values.
        weather = [weather_rng.gauss(0, demo.level * 0.1) for _ in range((today - start).days + 2)]
        with transaction.atomic():
            ours = [
                _device(f"eval-{demo.slug}-{n:02d}", demo.kind, home, pilot, number=n)
                for n in range(1, demo.pilot_devices + 1)
            ]
            theirs = [
                _device(
                    f"eval-{demo.slug}-control-{n:02d}",
                    demo.kind,
                    control_district,
                    None,
                    number=n,
                )
                for n in range(1, demo.control_devices + 1)
            ]
            rows = [
                row
                for group, effect in ((ours, demo.effect), (theirs, 0.0))
                for device in group
                for row in _rollups(
                    device,
                    metrics[demo.metric],
                    demo=demo,
                    start=start,
                    period_start=period_start,
                    end=today,
                    weather=weather,
                    effect=effect,
                )
            ]
            HourRollup.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
            EvaluationPlan.objects.get_or_create(
                pilot=pilot,
                defaults={
                    "indicators": _plan(
                        demo,
                        [d.pk for d in ours],
                        [d.pk for d in theirs],
                        baseline_start=start,
                        period_start=period_start,
                    )
                },
            )
        if not Scorecard.objects.filter(pilot=pilot).exists():
            services.pilot_score(pilot=pilot, now=now)
            scored += 1
    return scored
