"""The live chart's first ten minutes: the city's public devices minute by minute, from rollups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from pilots.models import Pilot
from sensors.models import Device, MinuteRollup
from tests.sensors.factories import DeviceFactory, metric

pytestmark = pytest.mark.django_db


def _minute(device: Device, minutes_ago: int, mean: float, high: float) -> None:
    bucket = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes_ago)
    MinuteRollup.objects.create(
        device=device,
        metric=metric("pm25"),
        bucket=bucket,
        count=6,
        min=mean - 1,
        max=high,
        sum=mean * 6,
        mean=mean,
    )


def test_each_minute_gives_the_mean_of_the_public_devices_and_their_highest_value(
    client: Client, pilot: Pilot
) -> None:
    first, second = DeviceFactory.create(), DeviceFactory.create()
    hidden = DeviceFactory.create(visibility=Device.Visibility.PRIVATE, pilot=pilot)
    _minute(first, 3, mean=10, high=12)
    _minute(second, 3, mean=20, high=31)
    _minute(hidden, 3, mean=90, high=99)
    _minute(first, 1, mean=14, high=15)
    # Older than the ten minutes asked for.
    _minute(first, 30, mean=50, high=60)

    body = client.get("/api/metrics/pm25/city/?minutes=10").json()

    assert body["metric"] == "pm25"
    assert [(row["mean"], row["max"], row["devices"]) for row in body["results"]] == [
        (15.0, 31.0, 2),
        (14.0, 15.0, 1),
    ]


def test_a_minute_no_device_reported_is_left_out_for_the_chart_to_show_a_gap(
    client: Client,
) -> None:
    device = DeviceFactory.create()
    _minute(device, 6, mean=10, high=11)
    _minute(device, 2, mean=12, high=13)

    buckets = [row["bucket"] for row in client.get("/api/metrics/pm25/city/").json()["results"]]

    assert len(buckets) == 2


def test_an_unknown_metric_or_a_range_too_long_is_refused(client: Client) -> None:
    assert client.get("/api/metrics/nothing/city/").status_code == 404
    assert client.get("/api/metrics/pm25/city/?minutes=100000").status_code == 400


def test_an_empty_range_is_refused_rather_than_taken_for_the_default(client: Client) -> None:
    response = client.get("/api/metrics/pm25/city/?minutes=")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["minutes"]


def test_the_live_chart_is_told_where_to_read_its_first_ten_minutes(client: Client) -> None:
    page = client.get("/sensors/live/").content.decode()

    assert 'data-history-url="/api/metrics/METRIC/city/"' in page
    assert "sensors/js/chart-format.js" in page
