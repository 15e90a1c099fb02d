"""`manage.py demo` seeds realistic data, and running it twice duplicates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from pilots.models import Pilot
from portal.models import District, Report, User
from sensors.models import Device, HourRollup, Reading

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "pilots": Pilot.objects.count(),
        "devices": Device.objects.count(),
        "readings": Reading.objects.count(),
        "hour_rollups": HourRollup.objects.count(),
        "reports": Report.objects.count(),
        "users": User.objects.count(),
    }


def test_the_demo_seeds_the_city_once_and_prints_a_working_manager_login() -> None:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    first = counts()
    assert first["districts"] == 25
    assert 18 <= first["pilots"] <= 25
    assert first["devices"] == 100
    assert first["readings"] > 40_000
    # Every seeded hour of every series is rolled up for the charts.
    assert HourRollup.objects.count() >= first["readings"] // 2
    assert {pilot.phase for pilot in Pilot.objects.all()} == set(Pilot.Phase.values)
    password = out.getvalue().split("password ")[1].split()[0]
    manager = User.objects.get(username="manager")
    assert manager.check_password(password)
    assert manager.has_perm("pilots.change_pilot")

    call_command("demo", no_serve=True, stdout=StringIO())
    assert counts() == first


def test_demo_devices_stand_inside_their_districts() -> None:
    from portal import geo

    call_command("demo", no_serve=True, stdout=StringIO())
    for device in Device.objects.select_related("district"):
        assert geo.contains(
            device.district.boundary, latitude=device.latitude, longitude=device.longitude
        ), device.name


def test_demo_readings_follow_a_daily_rhythm() -> None:
    from django.db.models import Avg

    call_command("demo", no_serve=True, stdout=StringIO())
    noise = Reading.objects.filter(metric__code="noise")
    # Hour lookups use the portal's time zone, Asia/Seoul.
    rush = noise.filter(time__hour=8).aggregate(mean=Avg("value"))["mean"]
    night = noise.filter(time__hour=3).aggregate(mean=Avg("value"))["mean"]
    assert rush > night + 10
