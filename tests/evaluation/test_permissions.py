"""Who may read and change a pilot's evaluation plan and decide its future, from the outside in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from pilots.evaluation import services
from pilots.evaluation.models import EvaluationPlan
from pilots.evaluation.permissions import user_manages_evaluation
from pilots.models import Pilot
from portal.models import User
from tests.evaluation.factories import devices, plan, sensor_indicator

pytestmark = pytest.mark.django_db


def _body() -> dict[str, object]:
    ours, theirs = devices(3), devices(3, slug="mapo-gu")
    return {
        "indicators": [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])],
        "reason_en": "Because.",
    }


def test_another_pilots_manager_cannot_put_a_plan(
    client: Client, pilot: Pilot, other_manager: User
) -> None:
    client.force_login(other_manager)
    response = client.put(
        f"/api/pilots/{pilot.slug}/evaluation-plan/", _body(), content_type="application/json"
    )
    assert response.status_code == 403
    assert not EvaluationPlan.objects.exists()


def test_another_pilots_manager_cannot_read_the_plan(
    client: Client, pilot: Pilot, other_manager: User
) -> None:
    plan(pilot, [])
    client.force_login(other_manager)
    assert client.get(f"/api/pilots/{pilot.slug}/evaluation-plan/").status_code == 403


def test_a_citizen_cannot_put_a_plan(client: Client, pilot: Pilot, citizen: User) -> None:
    client.force_login(citizen)
    response = client.put(
        f"/api/pilots/{pilot.slug}/evaluation-plan/", _body(), content_type="application/json"
    )
    assert response.status_code == 403


def test_an_anonymous_visitor_cannot_read_the_plan(client: Client, pilot: Pilot) -> None:
    plan(pilot, [])
    response = client.get(f"/api/pilots/{pilot.slug}/evaluation-plan/")
    assert response.status_code == 401


def test_staff_may_manage_any_pilots_evaluation(pilot: Pilot, staff_user: User) -> None:
    assert user_manages_evaluation(staff_user, pilot)


def test_the_service_refuses_an_outsider_whatever_calls_it(
    pilot: Pilot, other_manager: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.evaluation_plan_save(pilot=pilot, indicators=[], by=other_manager)
    with pytest.raises(PermissionDenied):
        services.decision_record(pilot=pilot, outcome="stop", by=other_manager, reason_en="No.")


def test_anyone_may_read_the_scorecards(client: Client, pilot: Pilot) -> None:
    assert client.get(f"/api/pilots/{pilot.slug}/scorecards/").status_code == 200
