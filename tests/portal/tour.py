"""A tour of the site's pages and API, for tests that look at every one.

`tour_world` creates one of everything a page can show; `tour` lists the pages, each with who
looks at it: nobody, a citizen who joined the pilot, or a pilot manager in the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drf_spectacular.generators import SchemaGenerator

from pilots.models import Pilot, Survey
from portal.models import User
from portal.reports.models import Report
from portal.roles import Role
from portal.spaces.models import Call, Space
from sensors.models import Device
from tests.pilots.factories import PilotFactory, consent, join, survey
from tests.portal.factories import UserFactory, district
from tests.reports.factories import ReportFactory
from tests.sensors.factories import DeviceFactory
from tests.spaces.factories import CallFactory, SpaceFactory

SQUARE = [[127.02, 37.49], [127.04, 37.49], [127.04, 37.51], [127.02, 37.51], [127.02, 37.49]]


@dataclass
class TourWorld:
    citizen: User
    manager: User
    pilot: Pilot
    survey: Survey
    device: Device
    report: Report
    space: Space
    call: Call


def tour_world() -> TourWorld:
    citizen = UserFactory.create(username="tour-citizen", home_district=district("gangnam-gu"))
    manager = UserFactory.create(username="tour-manager", role=Role.PILOT_MANAGER)
    pilot = PilotFactory.create(
        title="Smart crosswalk",
        slug="smart-crosswalk",
        capacity=10,
        area={"type": "Polygon", "coordinates": [SQUARE]},
    )
    pilot.managers.add(manager)
    consent(pilot)
    join(pilot, citizen)
    return TourWorld(
        citizen=citizen,
        manager=manager,
        pilot=pilot,
        survey=survey(pilot),
        device=DeviceFactory.create(),
        report=ReportFactory.create(reporter=citizen),
        space=SpaceFactory.create(),
        call=CallFactory.create(),
    )


def tour(world: TourWorld) -> list[tuple[str, str]]:
    """(who, address) of each page: "anonymous", "citizen" or "manager"."""
    pilot = world.pilot
    return [
        ("anonymous", "/"),
        ("anonymous", "/pilots/"),
        ("anonymous", pilot.get_absolute_url()),
        ("anonymous", "/sensors/live/"),
        ("anonymous", f"/sensors/devices/{world.device.pk}/"),
        ("anonymous", "/reports/"),
        ("anonymous", f"/reports/{world.report.pk}/"),
        ("anonymous", "/spaces/"),
        ("anonymous", f"/spaces/{world.space.pk}/"),
        ("anonymous", "/spaces/calls/"),
        ("anonymous", f"/spaces/calls/{world.call.pk}/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/accounts/signup/"),
        ("anonymous", "/accounts/password-reset/"),
        ("anonymous", "/api/docs/"),
        ("anonymous", "/api/pilots/"),
        ("anonymous", f"/api/devices/{world.device.pk}/readings/"),
        ("anonymous", "/no-such-page/"),
        ("anonymous", "/pilots/?q=%00"),
        ("anonymous", "/admin/login/"),
        ("citizen", "/me/"),
        ("citizen", f"/pilots/{pilot.slug}/join/"),
        ("citizen", f"/pilots/{pilot.slug}/withdraw/"),
        ("citizen", f"/pilots/{pilot.slug}/surveys/{world.survey.pk}/"),
        ("citizen", "/reports/new/"),
        ("citizen", "/reports/alerts/"),
        ("citizen", "/spaces/organisations/new/"),
        ("manager", "/admin/"),
        ("manager", f"/admin/pilots/pilot/{pilot.pk}/change/"),
        ("manager", f"/admin/pilots/survey/{world.survey.pk}/results/"),
        ("manager", "/admin/reports/report/"),
        ("manager", "/admin/reports/report/triage/"),
        ("manager", f"/admin/reports/report/{world.report.pk}/change/"),
        ("manager", "/admin/sensors/device/"),
        ("manager", "/accounts/two-factor/setup/"),
    ]


def openapi_schema() -> dict[str, Any]:
    """The API's OpenAPI schema, as drf-spectacular generates it for /api/schema/."""
    generator: Callable[[], Any] = SchemaGenerator
    schema: dict[str, Any] = generator().get_schema(request=None, public=True)
    return schema
