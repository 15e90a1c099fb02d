"""GET/PUT /api/pilots/<slug>/evaluation-plan/: registration before running, amendments after."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pilots.evaluation.models import EvaluationPlan, PlanAmendment
from pilots.models import Pilot
from portal.models import User
from tests.evaluation.factories import devices, sensor_indicator

pytestmark = pytest.mark.django_db


def _url(pilot: Pilot) -> str:
    return f"/api/pilots/{pilot.slug}/evaluation-plan/"


def _indicators() -> list[dict[str, Any]]:
    ours, theirs = devices(3), devices(3, slug="mapo-gu")
    return [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])]


def _put(client: Client, pilot: Pilot, body: dict[str, Any]) -> Any:
    return client.put(_url(pilot), body, content_type="application/json")


def test_a_manager_registers_a_plan_before_the_pilot_runs(
    client: Client, pilot: Pilot, manager: User
) -> None:
    pilot.phase = Pilot.Phase.RECRUITING
    pilot.save()
    client.force_login(manager)
    indicators = _indicators()
    response = _put(client, pilot, {"indicators": indicators})
    assert response.status_code == 200, response.json()
    assert response.json()["locked"] is False
    indicators[0]["target"] = -0.2
    assert _put(client, pilot, {"indicators": indicators}).status_code == 200
    plan = EvaluationPlan.objects.get(pilot=pilot)
    assert plan.indicators[0]["target"] == -0.2
    assert plan.version == 1
    assert not PlanAmendment.objects.exists()
    assert client.get(_url(pilot)).json()["indicators"][0]["target"] == -0.2


def test_once_running_a_change_without_a_reason_is_refused(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    indicators = _indicators()
    response = _put(client, pilot, {"indicators": indicators})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "evaluation_amendment_reason_missing"
    assert not EvaluationPlan.objects.exists()


def test_once_running_a_change_is_kept_as_an_amendment_with_its_reason(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    indicators = _indicators()
    first = _put(client, pilot, {"indicators": indicators, "reason_en": "Registered late."})
    assert first.status_code == 200
    indicators[0]["target"] = -0.05
    response = _put(
        client,
        pilot,
        {"indicators": indicators, "reason_ko": "센서 교체", "reason_en": "Sensors replaced."},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert body["locked"] is True
    assert [a["reason_en"] for a in body["amendments"]] == ["Registered late.", "Sensors replaced."]
    assert body["amendments"][1]["indicators_before"][0]["target"] == -0.10
    assert body["amendments"][1]["reason_ko"] == "센서 교체"


def test_an_unchanged_amendment_is_refused(client: Client, pilot: Pilot, manager: User) -> None:
    client.force_login(manager)
    indicators = _indicators()
    _put(client, pilot, {"indicators": indicators, "reason_en": "Registered."})
    response = _put(client, pilot, {"indicators": indicators, "reason_en": "Again."})
    assert response.json()["error"]["code"] == "evaluation_plan_unchanged"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "vibes"}, "kind"),
        ({"weight": 0}, "weight"),
        ({"target": 0.1}, "better"),
        ({"metric": "nonsense"}, "Unknown metric"),
        ({"pilot_devices": [999999]}, "Unknown device"),
        ({"baseline_end": "2030-01-01"}, "baseline"),
        ({"control_devices": [], "control_districts": []}, "controls"),
    ],
)
def test_a_bad_plan_is_refused_with_the_reason(
    client: Client, pilot: Pilot, manager: User, change: dict[str, Any], message: str
) -> None:
    pilot.phase = Pilot.Phase.PROPOSED
    pilot.save()
    client.force_login(manager)
    indicators = _indicators()
    indicators[0].update(change)
    response = _put(client, pilot, {"indicators": indicators})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "evaluation_plan_invalid"
    assert message in response.json()["error"]["message"]


def test_the_plan_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "put" in schema["paths"]["/api/pilots/{slug}/evaluation-plan/"]
    assert "get" in schema["paths"]["/api/pilots/{slug}/scorecards/"]
    assert "get" in schema["paths"]["/api/pilots/{slug}/scorecards/latest/"]


def test_someone_who_does_not_manage_the_pilot_may_not_read_its_plan_as_documented(
    client: Client, pilot: Pilot, outsider: User
) -> None:
    client.force_login(outsider)
    response = client.get(_url(pilot))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "403" in schema["paths"]["/api/pilots/{slug}/evaluation-plan/"]["get"]["responses"]
