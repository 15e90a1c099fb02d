"""Reads of devices, metrics and readings."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from pilots.models import Pilot
from pilots.selectors import user_is_pilot_member
from portal.models import District, User
from sensors.models import Alert, Device, HourRollup, Metric, MinuteRollup, Reading
from sensors.realtime import alert_message, reading_message


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
        return bool(
            getattr(user, "is_authenticated", False)
            and (user.is_superuser or user.has_perm("pilots.view_private_pilot_data"))
        )
    return user_is_pilot_member(user, device.pilot)


def visible_device(user: User | Any, device_id: int) -> Device | None:
    """The device if it exists and the user may see it, else None."""
    device = device_list().filter(pk=device_id).first()
    if device is None or not user_can_see_device(user, device):
        return None
    return device


def device_routing(device_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each device's district, pilot and visibility, as the live feeds route readings by them."""
    rows = Device.objects.filter(pk__in=list(device_ids)).values_list(
        "pk", "district_id", "pilot_id", "visibility"
    )
    return {
        pk: {
            "district": district_id,
            "pilot": pilot_id,
            "public": visibility == Device.Visibility.PUBLIC,
        }
        for pk, district_id, pilot_id, visibility in rows
    }


@dataclass(frozen=True)
class FeedScope:
    """Which devices a live feed covers; `include_private` only for members of a pilot."""

    district: District | None = None
    pilot: Pilot | None = None
    device: Device | None = None
    include_private: bool = False


def scope_devices(scope: FeedScope) -> QuerySet[Device]:
    devices = Device.objects.all()
    if scope.device is not None:
        return devices.filter(pk=scope.device.pk)
    if scope.district is not None:
        devices = devices.filter(district=scope.district)
    if scope.pilot is not None:
        devices = devices.filter(pilot=scope.pilot)
    if not scope.include_private:
        devices = devices.filter(visibility=Device.Visibility.PUBLIC)
    return devices


def latest_readings(scope: FeedScope) -> list[dict[str, Any]]:
    """The newest reading of each metric of each device in scope, shaped for the live feed.

    One index lookup per device and metric (on the device-metric-time unique index) rather than
    a scan of every reading, so the snapshot stays quick however long the history grows.
    """
    metrics = {metric.pk: metric.code for metric in Metric.objects.all()}
    annotations = {
        f"latest_{pk}": Subquery(
            Reading.objects.filter(device=OuterRef("pk"), metric_id=pk)
            .order_by("-time")
            .values("pk")[:1]
        )
        for pk in metrics
    }
    latest_ids = [
        reading_id
        for row in scope_devices(scope).annotate(**annotations).values(*annotations)
        for reading_id in row.values()
        if reading_id is not None
    ]
    rows = (
        Reading.objects.filter(pk__in=latest_ids)
        .select_related("device")
        .order_by("device_id", "metric_id")
    )
    return [reading_to_message(row, metric_code=metrics[row.metric_id]) for row in rows]


def latest_public_readings() -> list[dict[str, Any]]:
    """The newest reading of each metric of each public device in the city."""
    return latest_readings(FeedScope())


def reading_to_message(reading: Reading, *, metric_code: str) -> dict[str, Any]:
    device = reading.device
    return reading_message(
        device_id=device.pk,
        metric=metric_code,
        time=reading.time.isoformat(),
        value=reading.value,
        latitude=device.latitude,
        longitude=device.longitude,
        district_id=device.district_id,
        pilot_id=device.pilot_id,
        public=device.visibility == Device.Visibility.PUBLIC,
    )


def live_devices(*, user: User | Any, district: District | None = None) -> list[dict[str, Any]]:
    """Devices the live map draws: public ones, plus private ones the user may see by pilot."""
    devices = device_list().exclude(status=Device.Status.RETIRED)
    if district is not None:
        devices = devices.filter(district=district)
    visible = devices.filter(
        Q(visibility=Device.Visibility.PUBLIC) | Q(pilot__in=_member_pilots(user))
    )
    return [
        {
            "id": device.pk,
            "name": device.name,
            "kind": device.kind,
            "kind_label": device.get_kind_display(),
            "lat": device.latitude,
            "lon": device.longitude,
            "district": device.district.slug,
            "pilot": device.pilot.slug if device.pilot else None,
            "public": device.visibility == Device.Visibility.PUBLIC,
            "status": device.status,
        }
        for device in visible.order_by("pk")
    ]


def _member_pilots(user: User | Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    pilots = Pilot.objects.filter(devices__visibility=Device.Visibility.PRIVATE).distinct()
    return [pilot.pk for pilot in pilots if user_is_pilot_member(user, pilot)]


def device_readings(
    *, device: Device, metric: Metric | None, start: datetime, end: datetime
) -> QuerySet[Reading]:
    """A device's raw readings with start <= time < end, oldest first."""
    readings = Reading.objects.filter(device=device, time__gte=start, time__lt=end)
    if metric is not None:
        readings = readings.filter(metric=metric)
    return readings.select_related("metric").order_by("time", "metric_id")


def device_metrics(device: Device) -> QuerySet[Metric]:
    """The metrics a device has sent, for the device page's choice of chart."""
    return Metric.objects.filter(
        Exists(Reading.objects.filter(device=device, metric=OuterRef("pk")))
    )


class FeedRefusal(enum.Enum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"


def feed_scope(*, feed: str, key: str | int | None, user: User | Any) -> FeedScope | FeedRefusal:
    """What a live feed covers for this user, or why they may not have it.

    City and district feeds are open to all and carry public devices only. A pilot feed is open
    to all and carries the pilot's private devices to its members. A private device's feed is
    refused to anyone who is not a member of its pilot.
    """
    if feed == "city":
        return FeedScope()
    if feed == "district":
        district = District.objects.filter(slug=str(key)).first()
        return FeedScope(district=district) if district else FeedRefusal.NOT_FOUND
    if feed == "pilot":
        pilot = Pilot.objects.filter(slug=str(key)).first()
        if pilot is None:
            return FeedRefusal.NOT_FOUND
        return FeedScope(pilot=pilot, include_private=user_is_pilot_member(user, pilot))
    if feed == "device":
        device = device_list().filter(pk=int(key or 0)).first()
        if device is None:
            return FeedRefusal.NOT_FOUND
        if not user_can_see_device(user, device):
            return FeedRefusal.FORBIDDEN
        return FeedScope(device=device, include_private=True)
    raise ValueError(f"unknown feed {feed!r}")


def feed_refusal(
    *, feed: str, key: str | int | None, user: User | Any, granted: FeedScope
) -> FeedRefusal | None:
    """Why a feed granted as `granted` must now end for this user, or None if it may go on.

    A pilot feed is never refused outright, but one that stops including the pilot's private
    devices (the user withdrew, or lost their role) is another feed than the one granted, so it
    ends as forbidden rather than quietly narrowing.
    """
    if getattr(user, "is_authenticated", False):
        # Read the user again: the one held since connect keeps its permissions cached, and may
        # have been deactivated since.
        user = User.objects.filter(pk=user.pk, is_active=True).first() or AnonymousUser()
    resolved = feed_scope(feed=feed, key=key, user=user)
    if isinstance(resolved, FeedRefusal):
        return resolved
    if granted.include_private and not resolved.include_private:
        return FeedRefusal.FORBIDDEN
    return None


def feed_snapshot(scope: FeedScope) -> dict[str, Any]:
    """What a feed sends first: the latest value of every device in scope and its open alerts."""
    return {
        "readings": latest_readings(scope),
        "alerts": [alert_payload(alert) for alert in open_alerts(scope)[:OPEN_ALERT_LIMIT]],
    }


OPEN_ALERT_LIMIT = 50


def open_alerts(scope: FeedScope) -> QuerySet[Alert]:
    """Open alerts of the devices in scope, newest first."""
    return (
        Alert.objects.filter(closed_at__isnull=True, device__in=scope_devices(scope))
        .select_related("device", "metric")
        .order_by("-opened_at")
    )


def alert_payload(alert: Alert) -> dict[str, Any]:
    """An alert shaped for the live feeds (`realtime.alert_message`)."""
    device = alert.device
    return alert_message(
        alert_id=alert.pk,
        device_id=device.pk,
        device_name=device.name,
        metric=alert.metric.code if alert.metric else "",
        rule=alert.rule,
        level=alert.level,
        message=alert.message,
        value=alert.value,
        opened_at=alert.opened_at.isoformat(),
        closed_at=alert.closed_at.isoformat() if alert.closed_at else None,
        district_id=device.district_id,
        pilot_id=device.pilot_id,
        public=device.visibility == Device.Visibility.PUBLIC,
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
class LatestValue:
    metric: str
    unit: str
    value: float
    time: dt.datetime


@dataclass(frozen=True)
class DeviceWithLatest:
    device: Device
    latest: list[LatestValue]


def pilot_devices(pilot: Pilot, user: User) -> list[DeviceWithLatest]:
    """The pilot's devices the user may see, each with the newest value of every metric."""
    devices = Device.objects.filter(pilot=pilot).select_related("district").order_by("name")
    if not user_is_pilot_member(user, pilot):
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
        latest.setdefault(row.device_id, []).append(
            LatestValue(
                metric=row.metric.name, unit=row.metric.unit, value=row.value, time=row.time
            )
        )
    return [
        DeviceWithLatest(device=device, latest=latest.get(device.pk, [])) for device in device_list
    ]
