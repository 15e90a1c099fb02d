from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from pilots.models import Pilot
from portal.models import User
from portal.spaces import services
from portal.spaces.errors import SpacesError
from portal.spaces.models import Call, Organisation, Space
from tests.portal.factories import district
from tests.spaces.factories import submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def housed(
    call: Call, organisation: Organisation, owner: User, space: Space, call_manager: User
) -> Organisation:
    """The organisation with an accepted application and so a space of its own."""
    application = submitted_application(call, organisation, owner, space)
    for status in ("under_review", "shortlisted", "accepted"):
        services.application_decide(application=application, by=call_manager, to_status=status)
    assert application.allocations.exists()
    return organisation


def test_a_member_of_a_housed_organisation_proposes_a_pilot_with_it_as_partner(
    housed: Organisation, teammate: User
) -> None:
    from portal.roles import Role
    from portal.services import user_assign_role

    user_assign_role(user=teammate, role=Role.STARTUP_MEMBER)
    proposed = services.organisation_pilot_propose(
        organisation=housed,
        by=teammate,
        title="Radar crosswalk",
        summary="Radar counts people waiting to cross.",
        domain=Pilot.Domain.SAFETY,
        districts=[district("gangseo-gu")],
    )
    pilot = proposed.pilot
    assert (pilot.phase, pilot.partner) == (Pilot.Phase.PROPOSED, "Radar Lab")
    assert list(pilot.districts.values_list("slug", flat=True)) == ["gangseo-gu"]


def test_an_organisation_without_a_space_cannot_propose(
    organisation: Organisation, owner: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organisation_pilot_propose(
            organisation=organisation,
            by=owner,
            title="Radar crosswalk",
            summary="Radar.",
            domain=Pilot.Domain.SAFETY,
            districts=[],
        )
    assert caught.value.code == SpacesError.NO_ALLOCATION
    assert not Pilot.objects.filter(title="Radar crosswalk").exists()


def test_a_member_of_another_organisation_cannot_propose_in_its_name(
    housed: Organisation, rival: User
) -> None:
    client = Client()
    client.force_login(rival)
    response = client.post(
        f"/spaces/organisations/{housed.pk}/propose/",
        {"title": "Hijack", "summary": "No.", "domain": "safety"},
    )
    assert response.status_code == 404
    assert not Pilot.objects.filter(title="Hijack").exists()
