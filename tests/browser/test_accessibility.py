"""Every page a citizen, a startup and a manager uses, checked by axe-core in a real browser.

Each language is walked once, every page at a phone's width and at a desktop's, with the demo's
own data (its pilots, devices, reports, spaces and people): a critical or serious violation of
any page fails the walk, which lists every one it found. Set `PAGE_SCREENSHOTS` to a folder to
keep a screenshot of every page as well, for a person to look at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pilots import demo as pilots_demo
from pilots import selectors as pilot_selectors
from pilots.models import Pilot, Survey
from portal import demo as portal_demo
from portal.models import User
from portal.reports import demo as reports_demo
from portal.reports.models import Report
from portal.spaces import demo as spaces_demo
from portal.spaces.models import Application, Organisation, Space
from sensors import demo as sensors_demo
from tests.browser.conftest import DESKTOP, PHONE
from tests.pilots.factories import join
from tests.portal.factories import UserFactory, district

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# What the walk fails on; moderate and minor findings are listed but let it pass.
FAILING_IMPACTS = {"critical", "serious"}
WIDTHS: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}


@dataclass(frozen=True)
class Visit:
    who: str
    name: str
    path: str


def _seed() -> dict[str, Any]:
    """The demo's data without its week of readings (one device gets a day), and its people."""
    now = timezone.now()
    pilots = pilots_demo.seed_pilots(today=timezone.localdate(now))
    devices = sensors_demo.seed_devices(pilots)
    reports_demo.seed_reports()
    spaces_demo.seed_spaces(today=timezone.localdate(now))
    sensors_demo.seed_readings(devices[:1], now=now)
    manager = portal_demo.manager_login(password="correct horse battery staple")
    pilots_demo.managers_add(manager=manager)
    crosswalk = pilots["smart-crosswalk"]
    citizen = UserFactory.create(
        username="minji", home_district=crosswalk.districts.order_by("pk").first()
    )
    join(crosswalk, citizen)
    # Someone the demo's rules keep out of a pilot, to see what the join page says to them.
    outsider = UserFactory.create(username="outsider", home_district=district("dobong-gu"))
    ruled = next(
        pilot
        for pilot in Pilot.objects.filter(eligibility_rules__isnull=False).distinct()
        if pilot.is_open_to_join and pilot_selectors.current_consent(pilot) is not None
    )
    survey = Survey.objects.filter(pilot=crosswalk).first()
    assert survey is not None
    device = devices[0][0]
    report = Report.objects.order_by("pk").first()
    assert report is not None
    application = Application.objects.select_related("organisation").order_by("pk").first()
    assert application is not None
    return {
        "people": {
            "citizen": citizen,
            "outsider": outsider,
            "startup": User.objects.get(username="startup"),
            "manager": manager,
        },
        "crosswalk": crosswalk,
        "ruled": ruled,
        "survey": survey,
        "device": device,
        "report": report,
        "application": application,
        "organisation": application.organisation,
        "space": Space.objects.order_by("pk").first(),
    }


def _visits(data: dict[str, Any]) -> list[Visit]:
    crosswalk: Pilot = data["crosswalk"]
    organisation: Organisation = data["organisation"]
    return [
        Visit("visitor", "home", reverse("home")),
        Visit("visitor", "pilot list", reverse("pilots:list")),
        Visit("visitor", "pilot page", crosswalk.get_absolute_url()),
        Visit("visitor", "live map", reverse("sensors:live")),
        Visit("visitor", "device page", reverse("sensors:device", args=[data["device"].pk])),
        Visit("visitor", "reports", reverse("reports:list")),
        Visit("visitor", "report", reverse("reports:detail", args=[data["report"].pk])),
        Visit("visitor", "spaces", reverse("spaces:list")),
        Visit("visitor", "space", reverse("spaces:space", args=[data["space"].pk])),
        Visit("visitor", "calls", reverse("spaces:calls")),
        Visit("visitor", "call", reverse("spaces:call", args=[data["application"].call_id])),
        Visit("visitor", "log in", reverse("login")),
        Visit("visitor", "sign up", reverse("signup")),
        Visit("visitor", "password reset", reverse("password_reset")),
        Visit("visitor", "open data API", reverse("api-root")),
        Visit("visitor", "API documentation", reverse("api-docs")),
        Visit("visitor", "missing page", "/no-such-page/"),
        Visit("citizen", "pilot page, taking part", crosswalk.get_absolute_url()),
        Visit("citizen", "survey", data["survey"].get_absolute_url()),
        Visit("citizen", "my living lab", reverse("my-living-lab")),
        Visit("citizen", "new report", reverse("reports:new")),
        Visit("citizen", "area alerts", reverse("reports:alerts")),
        Visit("outsider", "pilot page, not eligible", data["ruled"].get_absolute_url()),
        Visit("outsider", "join, not eligible", reverse("pilots:join", args=[data["ruled"].slug])),
        Visit("outsider", "join", reverse("pilots:join", args=[crosswalk.slug])),
        Visit("startup", "organisation", reverse("spaces:organisation", args=[organisation.pk])),
        Visit(
            "startup",
            "application",
            reverse("spaces:application", args=[data["application"].pk]),
        ),
        Visit("startup", "new organisation", reverse("spaces:organisation-new")),
        Visit("manager", "admin", reverse("admin:index")),
        Visit("manager", "admin pilots", reverse("admin:pilots_pilot_changelist")),
        Visit("manager", "admin pilot", reverse("admin:pilots_pilot_change", args=[crosswalk.pk])),
        Visit("manager", "admin surveys", reverse("admin:pilots_survey_changelist")),
        Visit(
            "manager",
            "admin survey",
            reverse("admin:pilots_survey_change", args=[data["survey"].pk]),
        ),
        # Searched, so that axe reads a few rows: every row is drawn by the same template.
        Visit(
            "manager",
            "admin devices",
            reverse("admin:sensors_device_changelist") + f"?q={data['device'].name}",
        ),
        Visit(
            "manager",
            "admin device",
            reverse("admin:sensors_device_change", args=[data["device"].pk]),
        ),
        Visit("manager", "admin alerts", reverse("admin:sensors_alert_changelist")),
        Visit("manager", "admin scorecards", reverse("admin:evaluation_scorecard_changelist")),
        Visit("manager", "admin reports", reverse("admin:reports_report_changelist")),
        Visit(
            "manager",
            "admin report",
            reverse("admin:reports_report_change", args=[data["report"].pk]),
        ),
        Visit("manager", "admin applications", reverse("admin:spaces_application_changelist")),
        Visit(
            "manager",
            "admin application",
            reverse("admin:spaces_application_change", args=[data["application"].pk]),
        ),
    ]


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _settle(page: Page) -> None:
    """Wait for what the page draws after loading (maps, charts), which axe must see too."""
    page.wait_for_load_state("load")
    if page.locator(".leaflet-container").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-map]')].every("
            "node => node.classList.contains('leaflet-container'))",
            timeout=5_000,
        )
    if page.locator("[data-history], [data-live-chart]").count():
        page.wait_for_selector(".uplot", timeout=5_000)
    if page.locator("#swagger-ui").count():
        page.wait_for_selector("#swagger-ui .opblock", timeout=5_000)


# Only what the report needs comes back from the page: axe's full results are large.
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(results =>
    results.violations.map(v => ({
        id: v.id, impact: v.impact, count: v.nodes.length,
        targets: v.nodes.slice(0, 3).map(node => node.target.join(" ")),
    })))"""


def _check(page: Page, label: str, shots: Path | None) -> list[tuple[str, str]]:
    """Each violation axe finds on the page: its impact, and a line saying where and what."""
    if shots is not None:
        page.screenshot(path=str(shots / f"{label.replace(' ', '-')}.png"), full_page=True)
    return [
        (
            found["impact"],
            f"{label}: {found['impact']} {found['id']} ({found['count']} times: "
            f"{'; '.join(found['targets'])})",
        )
        for found in page.evaluate(AXE_RUN)
    ]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_has_no_serious_accessibility_problem(
    language: str, live_server: LiveServer, chromium: Browser
) -> None:
    data = _seed()
    folder = os.environ.get("PAGE_SCREENSHOTS")
    shots = Path(folder) if folder else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=PHONE, locale="ko-KR" if language == "ko" else "en-US")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    # axe-core (shipped by axe-playwright-python) is in every page from its first script on.
    context.add_init_script(AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found: list[tuple[str, str]] = []
    signed_in = ""
    try:
        for visit in _visits(data):
            if visit.who != signed_in:
                context.clear_cookies(name="sessionid")
                if visit.who != "visitor":
                    cookie = _session_cookie(data["people"][visit.who])
                    context.add_cookies(
                        [{"name": "sessionid", "value": cookie, "url": live_server.url}]
                    )
                signed_in = visit.who
            page.set_viewport_size(PHONE)
            page.goto(live_server.url + visit.path)
            _settle(page)
            # The same page at each width: the layout follows the viewport, as on a turned tablet.
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                found += _check(page, f"{language} {width} {visit.name}", shots)
    finally:
        context.close()
    print("\n".join(line for _impact, line in found))
    failing = [line for impact, line in found if impact in FAILING_IMPACTS]
    assert not failing, "\n".join(failing)
