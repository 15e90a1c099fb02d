"""Reads of devices, metrics and readings."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery

from sensors.models import Device, Metric, Reading
from sensors.realtime import reading_message


def device_list() -> QuerySet[Device]:
    return Device.objects.select_related("district", "pilot")


def public_device_list() -> QuerySet[Device]:
    return device_list().filter(visibility=Device.Visibility.PUBLIC)


def metric_list() -> QuerySet[Metric]:
    return Metric.objects.all()


def latest_public_readings() -> list[dict[str, Any]]:
    """The newest reading of each metric of each public device, shaped for the live feed."""
    newest = (
        Reading.objects.filter(device=OuterRef("device"), metric=OuterRef("metric"))
        .order_by()
        .values("device", "metric")
        .annotate(newest=Max("time"))
        .values("newest")
    )
    rows = (
        Reading.objects.filter(device__visibility=Device.Visibility.PUBLIC, time=Subquery(newest))
        .select_related("device", "metric")
        .order_by("device_id", "metric__code")
    )
    return [
        reading_message(
            device_id=row.device_id,
            metric=row.metric.code,
            time=row.time.isoformat(),
            value=row.value,
            latitude=row.device.latitude,
            longitude=row.device.longitude,
        )
        for row in rows
    ]
