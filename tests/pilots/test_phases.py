"""Phases move only along the allowed paths, through one service, and each move is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from pilots import services
from pilots.models import PhaseChange, Pilot
from portal.models import User
from tests.pilots.factories import PilotFactory

Phase = Pilot.Phase


def test_a_manager_moves_a_pilot_along_its_path_and_each_move_is_recorded(manager: User) -> None:
    pilot: Pilot = PilotFactory.create(phase=Phase.PROPOSED)
    pilot.managers.add(manager)
    for target in [Phase.RECRUITING, Phase.RUNNING, Phase.EVALUATING, Phase.EXTENDED]:
        services.pilot_change_phase(pilot=pilot, to_phase=target, by=manager, reason="on plan")
    pilot.refresh_from_db()
    assert pilot.phase == Phase.EXTENDED
    moves = list(PhaseChange.objects.filter(pilot=pilot).values_list("from_phase", "to_phase"))
    assert moves == [
        (Phase.PROPOSED, Phase.RECRUITING),
        (Phase.RECRUITING, Phase.RUNNING),
        (Phase.RUNNING, Phase.EVALUATING),
        (Phase.EVALUATING, Phase.EXTENDED),
    ]
    assert all(change.changed_by == manager for change in PhaseChange.objects.all())


def test_an_extended_pilot_returns_to_evaluation(manager: User) -> None:
    pilot: Pilot = PilotFactory.create(phase=Phase.EXTENDED)
    pilot.managers.add(manager)
    services.pilot_advance_phase(pilot=pilot, by=manager, reason="Extra winter data is in")
    assert Pilot.objects.get(pk=pilot.pk).phase == Phase.EVALUATING


def test_it_refuses_to_skip_a_phase_and_says_where_the_pilot_can_go(
    pilot: Pilot, manager: User
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.pilot_change_phase(pilot=pilot, to_phase=Phase.SCALED_UP, by=manager, reason="x")
    assert error.value.code == "phase_move_not_allowed"
    assert "Evaluating" in error.value.messages[0]
    assert Pilot.objects.get(pk=pilot.pk).phase == Phase.RUNNING
    assert not PhaseChange.objects.exists()


@pytest.mark.parametrize("final", [Phase.SCALED_UP, Phase.STOPPED])
def test_final_phases_go_nowhere(manager: User, final: str) -> None:
    pilot: Pilot = PilotFactory.create(phase=final)
    pilot.managers.add(manager)
    with translation.override("en"), pytest.raises(ValidationError, match="final"):
        services.pilot_change_phase(pilot=pilot, to_phase=Phase.RUNNING, by=manager, reason="x")


def test_a_move_needs_a_reason(pilot: Pilot, manager: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.pilot_change_phase(pilot=pilot, to_phase=Phase.EVALUATING, by=manager, reason=" ")
    assert error.value.code == "reason_missing"


def test_an_evaluated_pilot_has_no_single_next_phase(manager: User) -> None:
    pilot: Pilot = PilotFactory.create(phase=Phase.EVALUATING)
    pilot.managers.add(manager)
    with pytest.raises(ValidationError) as error:
        services.pilot_advance_phase(pilot=pilot, by=manager, reason="done")
    assert error.value.code == "no_next_phase"


def test_another_pilots_manager_cannot_move_it(pilot: Pilot, other_manager: User) -> None:
    with pytest.raises(PermissionDenied):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Phase.EVALUATING, by=other_manager, reason="not mine"
        )
    assert Pilot.objects.get(pk=pilot.pk).phase == Phase.RUNNING


def test_a_citizen_cannot_move_a_pilot(pilot: Pilot, citizen: User) -> None:
    with pytest.raises(PermissionDenied):
        services.pilot_change_phase(pilot=pilot, to_phase=Phase.STOPPED, by=citizen, reason="no")


def test_staff_may_move_any_pilot(pilot: Pilot, staff_user: User) -> None:
    services.pilot_change_phase(pilot=pilot, to_phase=Phase.STOPPED, by=staff_user, reason="budget")
    assert Pilot.objects.get(pk=pilot.pk).phase == Phase.STOPPED


def test_the_public_timeline_shows_public_moves_with_their_note_only(
    client: Client, pilot: Pilot, manager: User
) -> None:
    services.pilot_change_phase(
        pilot=pilot,
        to_phase=Phase.EVALUATING,
        by=manager,
        reason="internal budget talk",
        public_note="Residents' feedback is being read.",
    )
    services.pilot_change_phase(
        pilot=pilot, to_phase=Phase.EXTENDED, by=manager, reason="secret", is_public=False
    )
    page = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Residents&#x27; feedback is being read." in html
    assert "internal budget talk" not in html
    assert "secret" not in html
