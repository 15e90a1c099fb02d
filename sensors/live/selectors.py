"""Reads of the live feeds: who may have which feed, and the snapshot a feed begins with."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from pilots.models import Pilot
from pilots.permissions import user_sees_pilot_private_data
from portal.models import District, User
from sensors.live.messages import alert_payload, reading_to_message
from sensors.models import Alert, Device, Metric, Reading
from sensors.selectors import device_list, user_can_see_device


@dataclass(frozen=True)
class FeedScope:
    """Which devices a live feed covers; `include_private` only for members of a pilot."""

    district: District | None = None
    pilot: Pilot | None = None
    device: Device | None = None
    include_private: bool = False


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
        return FeedScope(pilot=pilot, include_private=user_sees_pilot_private_data(user, pilot))
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


OPEN_ALERT_LIMIT = 50


def open_alerts(scope: FeedScope) -> QuerySet[Alert]:
    """Open alerts of the devices in scope, newest first."""
    return (
        Alert.objects.filter(closed_at__isnull=True, device__in=scope_devices(scope))
        .select_related("device", "metric")
        .order_by("-opened_at")
    )


def feed_snapshot(scope: FeedScope) -> dict[str, Any]:
    """What a feed sends first: the latest value of every device in scope and its open alerts."""
    return {
        "readings": latest_readings(scope),
        "alerts": [alert_payload(alert) for alert in open_alerts(scope)[:OPEN_ALERT_LIMIT]],
    }
