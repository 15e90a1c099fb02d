"""Devices and metrics have names in Korean and English; pages show the reader's."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import User
from sensors.models import Device
from tests.sensors.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def named_device() -> Device:
    return DeviceFactory.create(
        name="gangnam-gu-air-quality-35",
        display_name_ko="강남구 미세먼지 측정소 35",
        display_name_en="Gangnam-gu fine-dust station 35",
    )


def heading(client: Client, device: Device, language: str) -> str:
    html = client.get(f"/sensors/devices/{device.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    match = re.search(r"<h1>(.*?)</h1>", html.content.decode(), re.S)
    assert match
    return match.group(1)


def test_the_device_page_is_headed_by_its_name_in_the_readers_language(client: Client) -> None:
    device = named_device()

    assert heading(client, device, "ko") == "강남구 미세먼지 측정소 35"
    assert heading(client, device, "en") == "Gangnam-gu fine-dust station 35"


def test_a_device_named_in_korean_only_is_marked_on_the_english_page(client: Client) -> None:
    device = named_device()
    Device.objects.filter(pk=device.pk).update(display_name_en="")

    assert heading(client, device, "en") == (
        '<span lang="ko">강남구 미세먼지 측정소 35</span> '
        '<small class="lang-note" lang="en">(in Korean)</small>'
    )


def test_a_device_without_a_display_name_is_headed_by_its_identifier(client: Client) -> None:
    device = DeviceFactory.create(name="gangnam-gu-air-quality-36")

    assert heading(client, device, "ko") == "gangnam-gu-air-quality-36"


def test_the_live_map_names_devices_in_the_readers_language(client: Client) -> None:
    device = named_device()

    html = client.get(reverse("sensors:live"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    match = re.search(r'<script id="live-devices" type="application/json">(.*?)</script>', html)
    assert match
    names = {row["id"]: row["name"] for row in json.loads(match.group(1))}
    assert names[device.pk] == "Gangnam-gu fine-dust station 35"


def test_the_device_admin_has_the_display_name_in_both_languages(
    client: Client, staff_user: User
) -> None:
    device = named_device()
    client.force_login(staff_user)

    response = client.get(reverse("admin:sensors_device_change", args=[device.pk]))

    form = response.context["adminform"].form
    assert {"display_name_ko", "display_name_en"} <= set(form.fields)
    assert "display_name" not in form.fields


def test_metrics_answer_with_both_names_and_pages_use_the_readers() -> None:
    api = APIClient()

    pm25 = next(
        metric for metric in api.get("/api/metrics/").json()["results"] if metric["code"] == "pm25"
    )

    assert (pm25["name_ko"], pm25["name_en"]) == ("초미세먼지(PM2.5)", "Ultrafine dust (PM2.5)")
