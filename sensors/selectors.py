"""Reads of devices, metrics and readings (the live feeds' own reads are in `sensors.live`)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from modeltranslation.utils import get_language, resolution_order

from pilots.models import Pilot
from pilots.permissions import (
    pilots_private_data_seen_by,
    user_sees_every_pilot,
    user_sees_pilot_private_data,
)
from portal.models import District, User
from sensors.bands import band_for
from sensors.models import Device, HourRollup, Metric, MinuteRollup, Reading


def device_list() -> QuerySet[Device]:
    return Device.objects.select_related("district", "pilot")


def public_device_list() -> QuerySet[Device]:
    return device_list().filter(visibility=Device.Visibility.PUBLIC)


def metric_list() -> QuerySet[Metric]:
    return Metric.objects.all()


def user_can_see_device(user: User | Any, device: Device) -> bool:
    """Public devices are open to all; a private device only to its pilot's members."""
    if device.visibility == Device.Visibility.PUBLIC:
        return True
    if device.pilot is None:
        # A private device lent to no pilot is for those who see every pilot's private data.
        return user_sees_every_pilot(user)
    return user_sees_pilot_private_data(user, device.pilot)


def visible_device(user: User | Any, device_id: int) -> Device | None:
    """The device if it exists and the user may see it, else None."""
    device = device_list().filter(pk=device_id).first()
    if device is None or not user_can_see_device(user, device):
        return None
    return device


def live_devices(*, user: User | Any, district: District | None = None) -> list[dict[str, Any]]:
    """Devices the live map draws: public ones, plus private ones the user may see by pilot."""
    devices = device_list().exclude(status=Device.Status.RETIRED)
    if district is not None:
        devices = devices.filter(district=district)
    visible = devices.filter(
        Q(visibility=Device.Visibility.PUBLIC)
        | Q(pilot__in=pilots_with_private_devices_seen_by(user).values("pk"))
    )
    # Plain rows, not models: a city's two thousand devices cost a second as objects (with their
    # districts' boundaries and their pilots' texts) and a few milliseconds as values.
    names = [f"display_name_{language}" for language in resolution_order(get_language(), None)]
    kinds = dict(Device.Kind.choices)
    rows = visible.order_by("pk").values(
        "pk",
        "name",
        *names,
        "kind",
        "latitude",
        "longitude",
        "district__slug",
        "pilot__slug",
        "visibility",
        "status",
    )
    return [
        {
            "id": row["pk"],
            # What the page calls the device, in the reader's language (Device.label).
            "name": next((row[name] for name in names if row[name]), row["name"]),
            "kind": row["kind"],
            "kind_label": str(kinds.get(row["kind"], row["kind"])),
            "lat": row["latitude"],
            "lon": row["longitude"],
            "district": row["district__slug"],
            "pilot": row["pilot__slug"],
            "public": row["visibility"] == Device.Visibility.PUBLIC,
            "status": row["status"],
        }
        for row in rows
    ]


def pilots_with_private_devices_seen_by(user: User | Any) -> QuerySet[Pilot]:
    """The pilots with private devices whose private data the user sees, as one query.

    `pilots.permissions.pilots_private_data_seen_by`, narrowed to pilots that have private devices.
    """
    return pilots_private_data_seen_by(user).filter(
        Exists(Device.objects.filter(pilot=OuterRef("pk"), visibility=Device.Visibility.PRIVATE))
    )


def device_readings(
    *, device: Device, metric: Metric | None, start: datetime, end: datetime
) -> QuerySet[Reading]:
    """A device's raw readings with start <= time < end, oldest first."""
    readings = Reading.objects.filter(device=device, time__gte=start, time__lt=end)
    if metric is not None:
        readings = readings.filter(metric=metric)
    return readings.select_related("metric").order_by("time", "metric_id")


def device_metrics(device: Device) -> QuerySet[Metric]:
    """The metrics a device has sent, for the device page's choice of chart.

    Hourly rollups count too: they outlive the readings they summarise (history imported as
    rollups, readings past their keeping), and the page's longer charts draw from them.
    """
    return Metric.objects.filter(
        Exists(Reading.objects.filter(device=device, metric=OuterRef("pk")))
        | Exists(HourRollup.objects.filter(device=device, metric=OuterRef("pk")))
    )


class Resolution(enum.StrEnum):
    MINUTE = "minute"
    HOUR = "hour"


def device_rollups(
    *,
    device: Device,
    metric: Metric | None,
    resolution: Resolution,
    start: datetime,
    end: datetime,
) -> QuerySet[MinuteRollup] | QuerySet[HourRollup]:
    """A device's rollups whose bucket starts in [start, end), oldest first."""
    model: type[MinuteRollup] | type[HourRollup] = (
        MinuteRollup if resolution is Resolution.MINUTE else HourRollup
    )
    rollups = model.objects.filter(device=device, bucket__gte=start, bucket__lt=end)
    if metric is not None:
        rollups = rollups.filter(metric=metric)
    return rollups.select_related("metric").order_by("bucket", "metric_id")


@dataclass(frozen=True)
class CityMinute:
    """The city's public devices over one minute: the mean of their means and the highest value."""

    bucket: datetime
    mean: float
    max: float
    devices: int


def city_minutes(*, metric: Metric, start: datetime, end: datetime) -> list[CityMinute]:
    """Per minute with start <= bucket < end, oldest first: what the live chart shows.

    Public devices only, as the city's live feed carries; a minute no device reported is
    missing, so that a chart shows the gap.
    """
    rows = (
        MinuteRollup.objects.filter(
            metric=metric,
            bucket__gte=start,
            bucket__lt=end,
            device__visibility=Device.Visibility.PUBLIC,
        )
        .exclude(device__status=Device.Status.RETIRED)
        .values("bucket")
        .annotate(mean=Avg("mean"), max=Max("max"), devices=Count("device", distinct=True))
        .order_by("bucket")
    )
    return [
        CityMinute(bucket=row["bucket"], mean=row["mean"], max=row["max"], devices=row["devices"])
        for row in rows
    ]


@dataclass(frozen=True)
class LatestValue:
    metric: str
    unit: str
    value: float
    time: dt.datetime
    # The value's band ("good", "moderate", "bad", "very_bad", "cold") and its name; "" for a
    # metric without bands.
    level: str = ""
    band: str = ""


@dataclass(frozen=True)
class DeviceWithLatest:
    device: Device
    latest: list[LatestValue]

    @property
    def level(self) -> str:
        """The grade the device's card is coloured by: its worst banded value's."""
        levels = [value.level for value in self.latest if value.level in LEVEL_ORDER]
        return max(levels, key=LEVEL_ORDER.index) if levels else ""


# From the best grade to the worst, as the live map's colours go.
LEVEL_ORDER = ["good", "moderate", "cold", "bad", "very_bad"]


def pilot_devices(pilot: Pilot, user: User) -> list[DeviceWithLatest]:
    """The pilot's devices the user may see, each with the newest value of every metric."""
    devices = Device.objects.filter(pilot=pilot).select_related("district").order_by("name")
    if not user_sees_pilot_private_data(user, pilot):
        devices = devices.filter(visibility=Device.Visibility.PUBLIC)
    device_list = list(devices)
    newest = (
        Reading.objects.filter(device=OuterRef("device"), metric=OuterRef("metric"))
        .order_by("-time")
        .values("time")[:1]
    )
    rows = (
        Reading.objects.filter(device__in=device_list, time=Subquery(newest))
        .select_related("metric")
        .order_by("device_id", "metric__code")
    )
    latest: dict[int, list[LatestValue]] = {}
    for row in rows:
        band = band_for(row.metric.code, row.value)
        latest.setdefault(row.device_id, []).append(
            LatestValue(
                metric=row.metric.name,
                unit=row.metric.unit_label,
                value=row.value,
                time=row.time,
                level=band.level if band else "",
                band=str(band.label) if band else "",
            )
        )
    return [
        DeviceWithLatest(device=device, latest=latest.get(device.pk, [])) for device in device_list
    ]
