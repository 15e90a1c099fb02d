"""The demo's devices across the city's districts, and a week of their readings with rollups.

Every step is idempotent (devices by name, readings on a fixed time grid with conflicts ignored),
so seeding twice duplicates nothing. Random generators are seeded per device and per reading, so
a rerun places devices where they were and gives them the same values. The values come from the
model the simulator uses (`sensors.synthetic`).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import translation

from pilots.models import Pilot
from portal import geo
from portal.languages import text_in
from portal.models import District
from sensors.models import Device, Metric, Reading
from sensors.services.rollups import rollups_refresh
from sensors.synthetic import DUST_METRICS, demo_dust, reading_value

READING_INTERVAL = timedelta(minutes=30)
HISTORY = timedelta(days=7)

# How many devices of each kind the demo places, and the metrics it seeds a history of.
DEVICE_PLAN: list[tuple[str, int, list[str]]] = [
    (Device.Kind.AIR_QUALITY, 40, ["pm10", "pm25"]),
    (Device.Kind.WEATHER, 25, ["temperature", "humidity"]),
    (Device.Kind.NOISE, 20, ["noise"]),
    (Device.Kind.PEDESTRIAN_COUNTER, 5, []),
    (Device.Kind.VEHICLE_COUNTER, 4, []),
    (Device.Kind.ENERGY_METER, 4, []),
    (Device.Kind.BATTERY, 2, []),
]

# Which demo pilot (by slug) each kind of device is lent to, where it has one.
PILOT_FOR_KIND: dict[str, str] = {
    Device.Kind.AIR_QUALITY: "air-quality-bus-stops",
    Device.Kind.NOISE: "noise-map-nightlife",
    Device.Kind.PEDESTRIAN_COUNTER: "pedestrian-flow-market",
    Device.Kind.VEHICLE_COUNTER: "school-zone-speed",
    Device.Kind.ENERGY_METER: "elderly-care-iot",
    Device.Kind.BATTERY: "community-battery",
}

DemoDevices = list[tuple[Device, list[Metric]]]


def seed_devices(pilots: dict[str, Pilot]) -> DemoDevices:
    """Place the demo's devices, lending some to the demo's `pilots` (by slug).

    Returns each device with the metrics `seed_readings` gives it a history of.
    """
    metrics = {metric.code: metric for metric in Metric.objects.all()}
    districts = list(District.objects.order_by("code"))
    devices: DemoDevices = []
    for kind, count, metric_codes in DEVICE_PLAN:
        pilot = pilots.get(PILOT_FOR_KIND.get(kind, ""))
        pilot_districts = list(pilot.districts.order_by("code")) if pilot else []
        for number in range(1, count + 1):
            # Pilot devices stand in the pilot's districts; the rest spread over the whole city.
            pool = pilot_districts if pilot_districts and number % 2 == 0 else districts
            district = pool[(number * 7) % len(pool)]
            device = demo_device_place(
                name=f"{district.slug}-{kind.replace('_', '-')}-{number:02d}",
                kind=kind,
                district=district,
                pilot=pilot if pool is pilot_districts else None,
                names=_display_names(district, kind, number),
            )
            devices.append((device, [metrics[code] for code in metric_codes]))
    return devices


def demo_device_place(
    *, name: str, kind: str, district: District, pilot: Pilot | None, names: dict[str, str]
) -> Device:
    """A public, active demo device at a point of its district that its name fixes, so that
    seeding again moves nothing; `names` are its display names in both languages."""
    rng = random.Random(name)  # noqa: S311 - demo placement, not security.
    latitude, longitude = point_in_district(district, rng)
    device, _created = Device.objects.update_or_create(
        name=name,
        defaults={
            "kind": kind,
            "district": district,
            "pilot": pilot,
            "latitude": latitude,
            "longitude": longitude,
            "visibility": Device.Visibility.PUBLIC,
            "status": Device.Status.ACTIVE,
            **names,
        },
    )
    return device


def _display_names(district: District, kind: str, number: int) -> dict[str, str]:
    """What pages call a demo device, in Korean and English: "관악구 미세먼지 측정소 35"."""
    with translation.override("ko"):
        korean = f"{text_in(district, 'name', 'ko')} {Device.Kind(kind).label} {number}"
    with translation.override("en"):
        kind_label = str(Device.Kind(kind).label).lower()
        english = f"{text_in(district, 'name', 'en')} {kind_label} {number}"
    return {"display_name_ko": korean, "display_name_en": english}


def point_in_district(district: District, rng: random.Random) -> tuple[float, float]:
    """A random point inside the district's boundary (its centre if none is found)."""
    min_lon, min_lat, max_lon, max_lat = geo.bounding_box(district.boundary)
    for _attempt in range(200):
        latitude, longitude = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if geo.contains(district.boundary, latitude=latitude, longitude=longitude):
            return round(latitude, 6), round(longitude, 6)
    return district.center_latitude, district.center_longitude


@transaction.atomic
def seed_readings(devices: DemoDevices, *, now: datetime) -> int:
    """A week of readings on a 30-minute grid up to `now`, rolled up; returns how many are new.

    Rows already there are left as they are, so a second run with the same `now` adds none.
    """
    end = _floor(now, READING_INTERVAL)
    times = [end - READING_INTERVAL * step for step in range(int(HISTORY / READING_INTERVAL))]
    before = Reading.objects.count()
    slugs = dict(District.objects.values_list("pk", "slug"))
    for device, metrics in devices:
        district = slugs.get(device.district_id, "")
        rows = [
            Reading(
                device=device,
                metric=metric,
                time=time,
                value=demo_value(metric.code, time, device.pk, district),
            )
            for metric in metrics
            for time in times
        ]
        if not rows:
            continue
        Reading.objects.bulk_create(rows, batch_size=2_000, ignore_conflicts=True)
        # Charts read rollups, never raw rows: the seeded week needs them too.
        rollups_refresh(
            device_id=device.pk,
            metric_ids=[metric.pk for metric in metrics],
            start=times[-1],
            end=end,
        )
        Device.objects.filter(pk=device.pk).update(last_seen_at=end)
    return Reading.objects.count() - before


def _floor(moment: datetime, step: timedelta) -> datetime:
    seconds = int(step.total_seconds())
    return datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, tz=moment.tzinfo)


def demo_value(metric: str, time: datetime, device_id: int, district: str = "") -> float:
    """The demo's reading of `metric` from the device at `time`, the same on every run.

    `district` (the slug of the device's district) places the device in the dust events of the
    demo's history, which come to a few districts a day (`synthetic.demo_dust`).
    """
    utc = time.astimezone(UTC)
    bias = random.Random(f"bias:{device_id}").gauss(0, 1)  # noqa: S311 - demo values.
    wander = random.Random(f"{metric}:{device_id}:{utc.isoformat()}").gauss(0, 1)  # noqa: S311
    dust = demo_dust(district, time) if metric in DUST_METRICS else 1.0
    return reading_value(metric, time, bias=bias, wander=wander, dust=dust)
