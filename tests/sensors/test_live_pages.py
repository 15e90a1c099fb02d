"""The live page, the device page and the live map on the home page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from pilots.models import Pilot
from portal.models import User
from sensors.bands import ALERT_RULES, metric_bands
from sensors.models import Alert, Device, HourRollup
from sensors.views import LIVE_PILOT_FEEDS
from tests.pilots.factories import PilotFactory
from tests.portal.factories import UserFactory
from tests.sensors.factories import DeviceFactory, ReadingFactory, metric

pytestmark = pytest.mark.django_db


def embedded(html: str, element_id: str) -> Any:
    """The JSON that the page embeds in the script element `element_id`, parsed."""
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_the_live_page_shows_public_devices_to_everyone(
    client: Client, public_device: Device, private_device: Device
) -> None:
    response = client.get("/sensors/live/")

    assert response.status_code == 200
    devices = embedded(response.content.decode(), "live-devices")
    assert [device["id"] for device in devices] == [public_device.pk]


def test_the_live_page_shows_a_managers_private_devices_to_them(
    client: Client, manager: User, public_device: Device, private_device: Device
) -> None:
    client.force_login(manager)

    devices = embedded(client.get("/sensors/live/").content.decode(), "live-devices")

    assert {device["id"] for device in devices} == {public_device.pk, private_device.pk}


def test_the_live_page_listens_to_the_pilot_feed_of_a_members_private_devices(
    client: Client, manager: User, pilot: Pilot, public_device: Device, private_device: Device
) -> None:
    client.force_login(manager)

    feeds = embedded(client.get("/sensors/live/").content.decode(), "live-feeds")

    assert feeds == ["/ws/sensors/", f"/ws/sensors/pilots/{pilot.slug}/"]


def test_the_live_page_listens_to_the_city_feed_alone_for_an_outsider(
    client: Client, outsider: User, private_device: Device
) -> None:
    client.force_login(outsider)

    feeds = embedded(client.get("/sensors/live/").content.decode(), "live-feeds")

    assert feeds == ["/ws/sensors/"]
    assert embedded(client.get("/").content.decode(), "live-feeds") == ["/ws/sensors/"]


def test_the_live_page_skips_the_feed_of_a_members_pilot_without_private_devices(
    client: Client, manager: User, pilot: Pilot
) -> None:
    DeviceFactory.create(pilot=pilot)
    client.force_login(manager)

    assert embedded(client.get("/sensors/live/").content.decode(), "live-feeds") == ["/ws/sensors/"]


def test_the_live_map_opens_only_a_handful_of_pilot_feeds_for_those_who_see_every_pilot(
    client: Client,
) -> None:
    for _number in range(LIVE_PILOT_FEEDS + 2):
        DeviceFactory.create(pilot=PilotFactory.create(), visibility=Device.Visibility.PRIVATE)
    client.force_login(UserFactory.create(username="admin", is_superuser=True))

    feeds = embedded(client.get("/").content.decode(), "live-feeds")

    assert isinstance(feeds, list)
    assert feeds[0] == "/ws/sensors/"
    assert len(feeds) == 1 + LIVE_PILOT_FEEDS


def test_the_english_live_page_words_alerts_in_english(client: Client, settings: Settings) -> None:
    settings.SENSORS_SILENT_AFTER = 15 * 60
    html = client.get("/sensors/live/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    phrases = embedded(html, "alert-phrases")
    assert isinstance(phrases, dict)
    assert phrases["pm25_very_bad"] == "PM2.5 very bad: {value} µg/m³, at or above 76 µg/m³."
    assert phrases["device_silent"] == "No readings for 15 minutes or more."
    assert embedded(html, "alert-levels") == {"warning": "Warning", "critical": "Critical"}


def test_the_korean_live_page_words_alerts_in_korean(client: Client, settings: Settings) -> None:
    settings.SENSORS_SILENT_AFTER = 15 * 60
    html = client.get("/sensors/live/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    phrases = embedded(html, "alert-phrases")
    assert isinstance(phrases, dict)
    assert (
        phrases["pm25_very_bad"] == "초미세먼지(PM2.5) 매우 나쁨: {value} µg/m³(기준 76 µg/m³ 이상)"
    )
    assert phrases["device_silent"] == "15분 이상 측정값이 없습니다."
    assert embedded(html, "alert-levels") == {"warning": "주의", "critical": "심각"}


def test_every_alert_rule_has_a_sentence_on_the_live_page(client: Client) -> None:
    phrases = embedded(client.get("/").content.decode(), "alert-phrases")

    assert isinstance(phrases, dict)
    assert set(phrases) == set(Alert.Rule.values)
    assert all("{value}" in phrases[rule] for rule in Alert.Rule.values if rule != "device_silent")


def test_the_live_page_carries_the_korean_fine_dust_bands(client: Client) -> None:
    metrics = embedded(client.get("/sensors/live/").content.decode(), "live-metrics")

    pm25 = next(metric for metric in metrics if metric["code"] == "pm25")
    assert [band["upto"] for band in pm25["bands"]] == [15, 35, 75, None]
    pm10 = next(metric for metric in metrics if metric["code"] == "pm10")
    assert [band["upto"] for band in pm10["bands"]] == [30, 80, 150, None]


def test_the_live_page_serves_its_chart_library_from_static_files(client: Client) -> None:
    html = client.get("/sensors/live/").content.decode()

    assert "/static/sensors/vendor/uplot/uPlot.iife.min.js" in html
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html) == []


def test_the_home_page_shows_the_live_map_beside_the_district_map(client: Client) -> None:
    html = client.get("/").content.decode()

    assert 'id="home-live-map"' in html
    assert 'id="home-map"' in html
    assert "sensors/js/live.js" in html


def test_a_device_page_offers_history_charts_and_csv(client: Client, public_device: Device) -> None:
    ReadingFactory.create(device=public_device)

    response = client.get(f"/sensors/devices/{public_device.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert public_device.name in html
    assert html.count("data-history=") == 3
    config = embedded(html, "device-config")
    assert config["rollups"] == f"/api/devices/{public_device.pk}/rollups/"
    assert config["feed"] == f"/ws/sensors/devices/{public_device.pk}/"


def test_a_device_with_hourly_history_but_no_readings_left_shows_its_charts(
    client: Client, public_device: Device
) -> None:
    # History kept only as hourly rollups: imported, or its readings past their keeping.
    HourRollup.objects.create(
        device=public_device,
        metric=metric("pm25"),
        bucket=timezone.now().replace(minute=0, second=0, microsecond=0),
        count=60,
        min=20.0,
        max=40.0,
        sum=1800.0,
        mean=30.0,
    )

    html = client.get(f"/sensors/devices/{public_device.pk}/").content.decode()

    assert html.count("data-history=") == 3
    assert "has not sent any reading yet" not in html


def test_a_private_device_page_is_not_found_for_an_outsider(
    client: Client, outsider: User, private_device: Device
) -> None:
    client.force_login(outsider)

    assert client.get(f"/sensors/devices/{private_device.pk}/").status_code == 404


def test_a_private_device_page_is_open_to_its_pilots_manager(
    client: Client, manager: User, private_device: Device
) -> None:
    client.force_login(manager)

    assert client.get(f"/sensors/devices/{private_device.pk}/").status_code == 200


def test_the_map_turns_bad_exactly_where_the_alerts_open() -> None:
    bands = metric_bands()
    for rule in ALERT_RULES:
        level = "very_bad" if rule.level == Alert.Level.CRITICAL else "bad"
        if rule.metric == "temperature":
            level = "very_bad"  # The heat wave is the temperature scale's top band.
        ordered = bands[rule.metric]
        first = next(i for i, band in enumerate(ordered) if band["level"] == level)
        previous_upto = ordered[first - 1]["upto"]
        assert previous_upto is not None
        assert previous_upto + 1 == rule.threshold, rule.rule
