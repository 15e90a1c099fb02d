"""The live page in a real browser: it updates without reload when a device sends a reading."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client

from pilots.models import Pilot
from portal.models import User
from portal.roles import Role
from sensors.models import Device
from sensors.services import device_credential_issue
from tests.conftest import requires_postgres, requires_redis
from tests.portal.factories import UserFactory
from tests.sensors.factories import DeviceFactory
from tests.sensors.live_server import asgi_server_fixture, worker_fixture  # noqa: F401

if TYPE_CHECKING:
    from celery.worker import WorkController
    from playwright.sync_api import Page

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres, requires_redis]


@pytest.fixture
def manager(transactional_db: None) -> User:
    return UserFactory.create(username="manager", role=Role.PILOT_MANAGER)


def post_reading(server: str, token: str, value: float) -> None:
    body = [{"metric": "pm25", "time": dt.datetime.now(tz=dt.UTC).isoformat(), "value": value}]
    request = urllib.request.Request(
        f"http://{server}/api/sensors/readings",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - localhost.
        assert json.load(response)["accepted"] == 1


def test_the_live_map_colours_a_device_when_its_reading_arrives(
    asgi_server: str, worker: WorkController | None, phone_page: Page
) -> None:
    device = DeviceFactory.create(name="jongno-gu-air-quality-live")
    _credential, token = device_credential_issue(device=device)
    page = phone_page
    page.goto(f"http://{asgi_server}/sensors/live/")
    page.wait_for_selector("[data-live-status][data-state='live']")

    post_reading(asgi_server, token, 88.5)

    marker = page.wait_for_selector(f"path[data-device='{device.pk}'][data-value='88.5']")
    assert marker is not None
    # 88.5 µg/m³ of PM2.5 is "very bad" in Korea's bands: red.
    assert marker.get_attribute("fill") == "#d7301f"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_alert_ticker_shows_an_alert_as_it_opens(
    asgi_server: str, worker: WorkController | None, desktop_page: Page
) -> None:
    device = DeviceFactory.create(name="mapo-gu-air-quality-alert")
    _credential, token = device_credential_issue(device=device)
    page = desktop_page
    page.goto(f"http://{asgi_server}/sensors/live/")
    page.wait_for_selector("[data-live-status][data-state='live']")

    post_reading(asgi_server, token, 120.0)

    item = page.wait_for_selector(".alert-ticker li.alert-critical")
    assert item is not None
    assert device.name in item.inner_text()
    # The worker stored the alert's message in Korean; this browser prefers English.
    assert "PM2.5 very bad: 120 µg/m³, at or above 76 µg/m³." in item.inner_text()


def test_a_pilots_manager_sees_its_private_device_come_alive_on_the_live_map(
    asgi_server: str,
    worker: WorkController | None,
    desktop_page: Page,
    manager: User,
    pilot: Pilot,
) -> None:
    device = DeviceFactory.create(
        name="gangnam-gu-air-quality-private", pilot=pilot, visibility=Device.Visibility.PRIVATE
    )
    _credential, token = device_credential_issue(device=device)
    client = Client()
    client.force_login(manager)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page = desktop_page
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": f"http://{asgi_server}"}]
    )
    page.goto(f"http://{asgi_server}/sensors/live/")
    page.wait_for_selector("[data-live-status][data-state='live']")

    post_reading(asgi_server, token, 55.5)

    # The city's feed never carries this device: the value comes over the pilot's feed.
    page.wait_for_selector(f"path[data-device='{device.pk}'][data-value='55.5']")
