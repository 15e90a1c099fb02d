"""`manage.py demo` seeds realistic data, and running it twice duplicates nothing."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from pilots.models import Pilot
from portal.livinglab import demo
from portal.models import District, User
from portal.reports.models import Report
from sensors import demo as sensors_demo
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


def test_the_demo_seeds_the_city_once_and_prints_a_working_manager_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both runs see the same moment: runs either side of a half hour would each add a reading.
    monkeypatch.setattr(demo, "seed", partial(demo.seed, now=timezone.now()))
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    first = counts()
    assert first["districts"] == 25
    assert 18 <= first["pilots"] <= 25
    # A hundred devices of the city's own, plus the pilot sites and controls of the evaluations.
    assert Device.objects.exclude(name__startswith="eval-").count() == 100
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


def test_seeding_again_keeps_the_phase_and_dates_a_manager_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Devices and their readings are beside the point here, and the slowest part to seed.
    monkeypatch.setattr(sensors_demo, "DEVICE_PLAN", [])
    demo.seed()
    Pilot.objects.filter(slug="school-zone-speed").update(
        phase=Pilot.Phase.RUNNING,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 9, 30),
        title="Renamed by hand",
    )

    demo.seed()

    pilot = Pilot.objects.get(slug="school-zone-speed")
    assert pilot.phase == Pilot.Phase.RUNNING
    assert (pilot.start_date, pilot.end_date) == (date(2026, 3, 2), date(2026, 9, 30))
    # What describes the pilot is still the demo's own.
    assert pilot.title == "어린이보호구역 과속 경보"


def test_the_demo_readings_end_at_the_moment_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sensors_demo, "DEVICE_PLAN", [(Device.Kind.AIR_QUALITY, 1, ["pm25"])])
    now = datetime(2026, 3, 2, 10, 44, tzinfo=ZoneInfo("Asia/Seoul"))

    first = demo.seed(now=now)
    again = demo.seed(now=now)

    latest = Reading.objects.latest("time").time
    assert latest == datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    assert first.readings_added == 7 * 48
    assert again.readings_added == 0


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
