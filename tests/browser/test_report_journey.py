"""On a phone, a citizen reports a problem by tapping the map; a neighbour says "me too"."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from portal.models import District
from portal.reports.models import Report
from tests.browser.conftest import PHONE
from tests.portal.factories import UserFactory
from tests.reports.factories import ReportFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, live_server: LiveServer, username: str, then: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{then}")


def shoot(page: Page, name: str) -> None:
    """Keep a screenshot for a person to look at when SCREENSHOT_DIR names a folder."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def tap_the_map(page: Page) -> None:
    page.wait_for_function("window.portalMaps && window.portalMaps['report-pick-map']")
    page.locator("#report-pick-map").click()


def test_a_citizen_reports_on_the_map_and_a_neighbour_says_me_too(
    live_server: LiveServer, phone_page: Page, chromium: Any
) -> None:
    UserFactory.create(username="minji")
    neighbour = UserFactory.create(username="seojun")
    page = phone_page

    log_in(page, live_server, "minji", "/reports/new/")
    page.select_option("#id_category", "streetlight")
    tap_the_map(page)
    assert page.input_value("#id_latitude") != ""
    page.fill("#id_description", "가로등이 밤새 꺼져 있어요")
    shoot(page, "report-new-phone")
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url("**/reports/*/")
    report = Report.objects.get()
    assert report.reporter is not None
    assert report.reporter.username == "minji"
    assert report.district is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    context = chromium.new_context(viewport=PHONE, locale="ko-KR")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    second = context.new_page()
    second.set_default_timeout(10_000)
    try:
        log_in(second, live_server, "seojun", "/reports/new/")
        second.select_option("#id_category", "streetlight")
        tap_the_map(second)
        second.wait_for_selector("#nearby:not([hidden]) .me-too")
        shoot(second, "report-nearby-phone")
        second.locator("#nearby .me-too").first.click()
        second.wait_for_url(f"**/reports/{report.pk}/")
        shoot(second, "report-detail-phone")
    finally:
        context.close()

    report.refresh_from_db()
    assert report.support_count == 1
    assert list(report.supporters.all()) == [neighbour]
    assert Report.objects.count() == 1


def test_the_city_map_shows_groups_of_reports_over_the_districts_on_a_phone(
    live_server: LiveServer, phone_page: Page
) -> None:
    # Map tiles never load in tests, as on a network that blocks them: the districts must.
    for slug in ("mapo-gu", "gangnam-gu", "jongno-gu", "nowon-gu"):
        place = District.objects.get(slug=slug)
        for _n in range(3):
            ReportFactory.create(
                district=place,
                latitude=place.center_latitude,
                longitude=place.center_longitude,
            )
    page = phone_page

    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#reports-map[data-clustered='true']", state="attached")
    shoot(page, "report-map-city-phone")

    assert page.locator("#reports-map .leaflet-overlay-pane path").count() == 25
    groups = page.locator("#reports-map .report-cluster")
    assert groups.count() == 4
    assert sorted(groups.all_inner_texts()) == ["3", "3", "3", "3"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_typed_address_finds_its_district_and_asks_for_a_tap(
    live_server: LiveServer, phone_page: Page
) -> None:
    UserFactory.create(username="minji")
    page = phone_page
    log_in(page, live_server, "minji", "/reports/new/")

    page.fill("#id_address", "마포구 월드컵로 212")
    page.locator("#id_description").focus()

    status = page.locator("#place-status")
    status.filter(has_text="마포구").wait_for()
    assert "지도" in status.inner_text()
    # The place is left for the server to take from the address, unless the citizen taps.
    assert page.input_value("#id_latitude") == ""
    tap_the_map(page)
    assert page.input_value("#id_latitude") != ""
