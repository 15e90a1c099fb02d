"""The home page in a real browser: Korean by default, the district map drawn, usable on a phone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.pilots.factories import PilotFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_home_page_draws_every_district_on_a_phone_in_korean(
    live_server: LiveServer, phone_page: Page
) -> None:
    PilotFactory.create(title="스마트 횡단보도", districts=["gangnam-gu"])
    phone_page.goto(live_server.url + "/")
    assert phone_page.locator("h1").inner_text() == "내일의 도시를 우리 동네에서 먼저 경험하세요"
    phone_page.wait_for_selector("#home-map[data-districts='25']")
    assert phone_page.locator("#home-map path.leaflet-interactive").count() >= 25
    # Nothing sticks out sideways on a 360-pixel screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360


def test_tapping_a_district_lists_its_pilots(live_server: LiveServer, desktop_page: Page) -> None:
    PilotFactory.create(
        title_ko="스마트 횡단보도", title_en="Smart crosswalk", districts=["gangnam-gu"]
    )
    desktop_page.goto(live_server.url + "/")
    desktop_page.wait_for_selector("#home-map[data-districts='25']")
    desktop_page.evaluate(
        """() => {
            window.portalMaps['home-map'].districts.eachLayer(layer => {
                if (layer.feature.properties.code === '11680') layer.openPopup();
            });
        }"""
    )
    popup = desktop_page.locator(".leaflet-popup-content")
    assert "Gangnam-gu" in popup.inner_text()
    popup.get_by_role("link", name="Smart crosswalk").click()
    desktop_page.wait_for_url("**/pilots/**")
    assert desktop_page.locator("h1").inner_text() == "Smart crosswalk"


def test_the_phone_menu_opens_and_switches_language(
    live_server: LiveServer, phone_page: Page
) -> None:
    phone_page.goto(live_server.url + "/")
    phone_page.locator(".menu-toggle").click()
    phone_page.get_by_role("button", name="English").click()
    phone_page.wait_for_load_state()
    assert phone_page.locator("h1").inner_text() == "Try tomorrow's city in your neighbourhood"


def test_the_desktop_header_shows_the_navigation(
    live_server: LiveServer, desktop_page: Page
) -> None:
    desktop_page.goto(live_server.url + "/")
    assert desktop_page.get_by_role("link", name="Pilots", exact=True).is_visible()
    assert not desktop_page.locator(".menu-toggle").is_visible()
