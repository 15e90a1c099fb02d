"""My living lab and a startup's people: their organisations on the page, in the data export, and
what deleting the account does to an organisation they own."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from portal.models import User
from portal.roles import Role
from portal.spaces.models import Application, Call, Organisation, Space
from tests.portal.factories import UserFactory
from tests.spaces.factories import (
    CallFactory,
    OrganisationFactory,
    SpaceFactory,
    member,
    submitted_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(db: None) -> Space:
    return SpaceFactory.create(name="Magok test lab")


@pytest.fixture
def call(lab: Space) -> Call:
    created = CallFactory.create(title="Magok 2025")
    created.spaces.add(lab)
    created.managers.add(UserFactory.create(username="call-manager", role=Role.PILOT_MANAGER))
    return created


@pytest.fixture
def radar_lab(resident: User, neighbour: User) -> Organisation:
    """The resident's startup, which the neighbour joined after them."""
    organisation = OrganisationFactory.create(name="Radar Lab")
    member(organisation, resident, owner=True)
    member(organisation, neighbour)
    return organisation


@pytest.fixture
def applied(call: Call, radar_lab: Organisation, resident: User, lab: Space) -> Application:
    return submitted_application(call, radar_lab, resident, lab)


def test_the_page_lists_my_organisations_and_their_applications_with_their_status(
    client: Client, applied: Application, resident: User, call: Call, lab: Space
) -> None:
    second = OrganisationFactory.create(name="Second Startup")
    member(second, resident)
    stranger = UserFactory.create(username="stranger")
    elsewhere = OrganisationFactory.create(name="Elsewhere Inc")
    member(elsewhere, stranger, owner=True)
    submitted_application(call, elsewhere, stranger, lab)
    client.force_login(resident)
    html = client.get("/me/").content.decode()
    section = html[html.index('id="organisations"') : html.index('id="notifications"')]
    assert "Radar Lab" in section
    assert "Owner" in section
    assert applied.get_absolute_url() in section
    assert "Magok 2025" in section
    assert 'class="badge status-submitted">Submitted<' in section
    assert "Second Startup" in section
    assert "No application yet." in section
    assert "Elsewhere" not in html


def test_the_section_speaks_korean(applied: Application, resident: User) -> None:
    korean = Client(headers={"accept-language": "ko"})
    korean.force_login(resident)
    resident.preferred_language = "ko"
    resident.save()
    html = korean.get("/me/").content.decode()
    assert "내 조직" in html
    assert "제출됨" in html


def test_someone_in_no_organisation_is_shown_how_to_register_one(
    client: Client, outsider: User
) -> None:
    client.force_login(outsider)
    html = client.get("/me/").content.decode()
    assert "You are not a member of any organisation." in html
    assert "/spaces/organisations/new/" in html


def test_my_data_holds_my_organisations_and_the_applications_i_submitted(
    client: Client, applied: Application, resident: User, neighbour: User
) -> None:
    client.force_login(resident)
    data = json.loads(client.get("/me/data.json").content)
    assert [row["organisation"] for row in data["organisations"]] == ["Radar Lab"]
    assert [row["call"] for row in data["space_applications"]] == ["Magok 2025"]
    client.force_login(neighbour)
    theirs = json.loads(client.get("/me/data.json").content)
    assert [row["role"] for row in theirs["organisations"]] == ["member"]
    assert theirs["space_applications"] == []


def test_deleting_the_last_owners_account_hands_the_organisation_to_the_next_member(
    client: Client, applied: Application, radar_lab: Organisation, resident: User, neighbour: User
) -> None:
    client.force_login(resident)
    response = client.post("/me/delete/", {"password": "correct horse battery staple"})
    assert response.status_code == 302
    assert not User.objects.filter(username="resident").exists()
    roles = dict(radar_lab.memberships.values_list("user__username", "role"))
    assert roles == {"neighbour": "owner"}
    applied.refresh_from_db()
    assert applied.status == Application.Status.SUBMITTED
    assert applied.created_by is None
    client.force_login(neighbour)
    page = client.get(f"/spaces/organisations/{radar_lab.pk}/")
    assert "Send invitation" in page.content.decode()
