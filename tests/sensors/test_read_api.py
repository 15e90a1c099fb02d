"""The read API of readings and rollups: ranges, metrics, pages, CSV and private devices."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from portal.models import User
from sensors.models import Device, HourRollup, MinuteRollup
from tests.sensors.factories import ReadingFactory, metric

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)


def readings_url(device: Device, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/devices/{device.pk}/readings/?{query}"


def rollups_url(device: Device, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/devices/{device.pk}/rollups/?{query}"


def in_range(**params: str) -> dict[str, str]:
    return {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z", **params}


def make_rollup(
    model: type[MinuteRollup | HourRollup], device: Device, bucket: dt.datetime, mean: float
) -> None:
    model.objects.create(
        device=device,
        metric=metric("pm25"),
        bucket=bucket,
        count=2,
        min=mean - 1,
        max=mean + 1,
        sum=mean * 2,
        mean=mean,
    )


def test_it_lists_a_devices_readings_in_a_range_oldest_first(
    client: Client, public_device: Device
) -> None:
    for minutes, value in [(30, 3.0), (10, 1.0), (20, 2.0)]:
        ReadingFactory.create(
            device=public_device, time=START + dt.timedelta(minutes=minutes), value=value
        )
    ReadingFactory.create(device=public_device, time=START - dt.timedelta(minutes=1), value=99.0)

    response = client.get(readings_url(public_device, **in_range()))

    assert response.status_code == 200
    assert [row["value"] for row in response.json()["results"]] == [1.0, 2.0, 3.0]
    assert response.json()["results"][0]["metric"] == "pm25"


def test_it_filters_readings_by_metric(client: Client, public_device: Device) -> None:
    ReadingFactory.create(device=public_device, time=START, value=10.0)
    ReadingFactory.create(device=public_device, time=START, value=20.0, metric=metric("pm10"))

    response = client.get(readings_url(public_device, **in_range(metric="pm10")))

    assert [row["value"] for row in response.json()["results"]] == [20.0]


def test_it_pages_through_readings_with_a_cursor(client: Client, public_device: Device) -> None:
    for minute in range(5):
        ReadingFactory.create(device=public_device, time=START + dt.timedelta(minutes=minute))

    first = client.get(readings_url(public_device, **in_range(page_size="2"))).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert second["results"][0]["time"] > first["results"][-1]["time"]


def test_it_answers_csv_for_the_whole_range(client: Client, public_device: Device) -> None:
    for minute in range(3):
        ReadingFactory.create(
            device=public_device, time=START + dt.timedelta(minutes=minute), value=5.5
        )

    response = client.get(readings_url(public_device, **in_range(format="csv")))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["time", "metric", "value"]
    assert len(rows) == 4
    assert rows[1][1:] == ["pm25", "5.5"]


def test_the_csv_download_refuses_a_page_size_the_schema_refuses(
    client: Client, public_device: Device
) -> None:
    response = client.get(readings_url(public_device, **in_range(format="csv", page_size="false")))

    assert response.status_code == 400
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["status", "code", "message"]
    assert rows[1][:2] == ["400", "invalid"], rows
    assert "page_size" in rows[1][2]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-11-25T00:00:00Z", "end": "2026-11-24T00:00:00Z"}, "end"),
        ({"start": "2026-10-01T00:00:00Z", "end": "2026-11-24T00:00:00Z"}, "start"),
        ({"start": "yesterday"}, "start"),
    ],
)
def test_it_refuses_a_bad_range_or_metric_with_a_clear_400(
    client: Client, public_device: Device, params: dict[str, str], field: str
) -> None:
    response = client.get(readings_url(public_device, **params))

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_a_metric_no_one_measures_is_not_found(client: Client, public_device: Device) -> None:
    response = client.get(readings_url(public_device, metric="radon"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_empty_or_unknown_format_is_refused_naming_the_parameter(
    client: Client, public_device: Device
) -> None:
    for value in ["", "xml"]:
        response = client.get(readings_url(public_device, format=value))

        assert response.status_code == 400
        assert "format" in response.json()["error"]["details"]


def test_an_empty_start_is_refused_rather_than_taken_for_none(
    client: Client, public_device: Device
) -> None:
    response = client.get(readings_url(public_device, start=""))

    assert response.status_code == 400
    assert "start" in response.json()["error"]["details"]


def test_a_private_devices_readings_are_hidden_from_an_outsider(
    client: Client, outsider: User, private_device: Device
) -> None:
    ReadingFactory.create(device=private_device, time=START)
    client.force_login(outsider)

    assert client.get(readings_url(private_device, **in_range())).status_code == 404
    assert client.get(rollups_url(private_device)).status_code == 404


def test_a_private_devices_readings_are_hidden_from_an_anonymous_visitor(
    client: Client, private_device: Device
) -> None:
    assert client.get(readings_url(private_device, **in_range())).status_code == 404


def test_a_private_devices_readings_are_open_to_its_pilots_manager(
    client: Client, manager: User, private_device: Device
) -> None:
    ReadingFactory.create(device=private_device, time=START, value=7.0)
    client.force_login(manager)

    response = client.get(readings_url(private_device, **in_range()))

    assert [row["value"] for row in response.json()["results"]] == [7.0]


def test_it_lists_hour_rollups(client: Client, public_device: Device) -> None:
    make_rollup(HourRollup, public_device, START + dt.timedelta(hours=2), 30.0)
    make_rollup(HourRollup, public_device, START + dt.timedelta(hours=1), 20.0)

    response = client.get(rollups_url(public_device, **in_range(resolution="hour")))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["mean"] for row in rows] == [20.0, 30.0]
    assert set(rows[0]) == {"bucket", "metric", "count", "min", "max", "mean"}


def test_it_lists_minute_rollups_apart_from_hour_rollups(
    client: Client, public_device: Device
) -> None:
    make_rollup(MinuteRollup, public_device, START + dt.timedelta(minutes=1), 11.0)
    make_rollup(HourRollup, public_device, START, 99.0)

    response = client.get(rollups_url(public_device, **in_range(resolution="minute")))

    assert [row["mean"] for row in response.json()["results"]] == [11.0]


def test_minute_rollups_are_limited_to_a_week_at_a_time(
    client: Client, public_device: Device
) -> None:
    response = client.get(
        rollups_url(
            public_device,
            resolution="minute",
            start="2026-11-01T00:00:00Z",
            end="2026-11-24T00:00:00Z",
        )
    )

    assert response.status_code == 400


def test_rollups_come_as_csv(client: Client, public_device: Device) -> None:
    make_rollup(HourRollup, public_device, START, 12.5)

    response = client.get(rollups_url(public_device, **in_range(resolution="hour", format="csv")))

    assert isinstance(response, StreamingHttpResponse)
    lines = response.getvalue().decode().splitlines()
    assert lines[0] == "bucket,metric,count,min,max,mean"
    assert lines[1].endswith("pm25,2,11.5,13.5,12.5")


def test_the_read_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    readings = schema["paths"]["/api/devices/{device_id}/readings/"]["get"]
    assert {parameter["name"] for parameter in readings["parameters"]} >= {
        "metric",
        "start",
        "end",
        "format",
    }
    assert "/api/devices/{device_id}/rollups/" in schema["paths"]
