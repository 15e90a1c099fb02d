"""Cached pages with devices: changes to devices show at once, live values within seconds."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import timezone
from pytest_django import Settings

from pilots.models import Pilot
from portal.models import User
from sensors.models import Device, Metric, Reading
from tests.sensors.factories import metric

Commits = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def visit(url: str) -> str:
    """What an anonymous visitor reading English gets."""
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(url, HTTP_ACCEPT="*/*").content.decode()


def save_in_admin(obj: Device | Metric, staff_user: User) -> None:
    request = RequestFactory().post("/admin/")
    request.user = staff_user
    admin.site.get_model_admin(type(obj)).save_model(request, obj, None, change=True)


def test_a_device_changed_in_the_admin_shows_at_once(
    public_device: Device, staff_user: User, django_capture_on_commit_callbacks: Commits
) -> None:
    assert "Under maintenance" not in visit("/")
    assert '"status":"active"' in visit("/api/devices/")

    public_device.status = Device.Status.MAINTENANCE
    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(public_device, staff_user)

    assert '"status": "maintenance"' in visit("/")
    assert '"status":"maintenance"' in visit("/api/devices/")


def test_a_metric_renamed_in_the_admin_shows_at_once(
    public_device: Device, staff_user: User, django_capture_on_commit_callbacks: Commits
) -> None:
    assert "Very fine dust" not in visit("/")
    pm25 = metric("pm25")
    pm25.name_en = "Very fine dust"  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(pm25, staff_user)

    assert "Very fine dust" in visit("/")


def test_new_readings_show_once_the_live_values_time_is_up(
    pilot: Pilot, settings: Settings
) -> None:
    settings.PAGE_CACHE_LIVE_SECONDS = 1
    device = Device.objects.create(
        name="crossing-1",
        kind=Device.Kind.AIR_QUALITY,
        latitude=37.5,
        longitude=127.03,
        district=pilot.districts.get(),
        pilot=pilot,
    )
    earlier = timezone.now() - dt.timedelta(minutes=5)
    Reading.objects.create(device=device, metric=metric("pm25"), time=earlier, value=12.0)
    page = pilot.get_absolute_url()
    assert "<strong>12.0 " in visit(page)
    assert '"last_seen_at":null' in visit("/api/devices/")

    # Readings arrive by the thousand a second across the city: they retire no page, which keeps
    # them at most PAGE_CACHE_LIVE_SECONDS.
    Reading.objects.create(device=device, metric=metric("pm25"), time=timezone.now(), value=48.0)
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    assert "<strong>12.0 " in visit(page)
    assert '"last_seen_at":null' in visit("/api/devices/")
    time.sleep(1.2)

    assert "<strong>48.0 " in visit(page)
    assert '"last_seen_at":null' not in visit("/api/devices/")
