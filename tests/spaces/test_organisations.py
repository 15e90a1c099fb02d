from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from portal.models import User
from portal.notifications.models import Notification
from portal.spaces import services
from portal.spaces.errors import SpacesError
from portal.spaces.models import Membership, Organisation
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_registering_makes_the_person_its_owner_and_a_startup_member(owner: User) -> None:
    organisation = services.organisation_register(
        by=owner,
        name="Radar Lab",
        registration_number="124-81-00998",
        sector=Organisation.Sector.MOBILITY,
        team_size=3,
        founded_on=dt.date(2023, 3, 1),
    )
    assert organisation.registration_number == "1248100998"
    assert organisation.memberships.get().role == Membership.Role.OWNER
    assert owner.groups.filter(name="startup_member").exists()


def test_it_refuses_a_registration_number_already_registered(
    organisation: Organisation, rival: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(
            by=rival,
            name="Copycat",
            registration_number=organisation.registration_number,
            sector=Organisation.Sector.OTHER,
            team_size=1,
            founded_on=dt.date(2024, 1, 1),
        )
    assert caught.value.code == SpacesError.REGISTRATION_NUMBER_TAKEN


def test_the_registration_page_says_when_the_check_digit_is_wrong(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/spaces/organisations/new/",
        {
            "name": "Radar Lab",
            "registration_number": "124-81-00999",
            "sector": "mobility",
            "team_size": 3,
            "founded_on": "2023-03-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "last digit does not match" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_member_who_is_not_an_owner_cannot_invite(
    organisation: Organisation, teammate: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.invitation_send(organisation=organisation, by=teammate, email="new@example.org")
    assert caught.value.code == SpacesError.NOT_AN_OWNER


def test_a_member_who_is_not_an_owner_cannot_remove_the_owner(
    organisation: Organisation, owner: User, teammate: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.membership_remove(organisation=organisation, by=teammate, member=owner)
    assert caught.value.code == SpacesError.NOT_AN_OWNER
    assert organisation.memberships.count() == 2


def test_a_member_who_is_not_an_owner_cannot_take_over_ownership(
    organisation: Organisation, teammate: User
) -> None:
    with pytest.raises(ValidationError):
        services.ownership_transfer(organisation=organisation, by=teammate, to=teammate)
    assert organisation.memberships.get(user=teammate).role == Membership.Role.MEMBER


def test_the_last_owner_cannot_leave(organisation: Organisation, owner: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.membership_remove(organisation=organisation, by=owner, member=owner)
    assert caught.value.code == SpacesError.LAST_OWNER


def test_an_owner_hands_over_ownership_and_stays_as_member(
    organisation: Organisation, owner: User, teammate: User
) -> None:
    services.ownership_transfer(organisation=organisation, by=owner, to=teammate)
    roles = dict(organisation.memberships.values_list("user__username", "role"))
    assert roles == {"owner": Membership.Role.MEMBER, "teammate": Membership.Role.OWNER}
    assert Notification.objects.filter(user=teammate, kind="organisation_membership").exists()


def test_an_owner_removes_a_member_who_is_told(
    organisation: Organisation, owner: User, teammate: User
) -> None:
    services.membership_remove(organisation=organisation, by=owner, member=teammate)
    assert not organisation.memberships.filter(user=teammate).exists()
    assert Notification.objects.filter(user=teammate, kind="organisation_membership").exists()


def test_an_invitation_is_emailed_and_accepted_by_its_addressee(
    organisation: Organisation,
    owner: User,
    user_factory: type[UserFactory],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_send(
            organisation=organisation, by=owner, email="Newcomer@Example.org"
        )
    assert mail.outbox[-1].to == ["newcomer@example.org"]
    assert invitation.token in mail.outbox[-1].body
    newcomer = user_factory.create(username="newcomer", email="newcomer@example.org")
    services.invitation_accept(token=invitation.token, user=newcomer)
    assert organisation.memberships.get(user=newcomer).role == Membership.Role.MEMBER


def test_an_invitation_cannot_be_used_by_someone_it_was_not_sent_to(
    organisation: Organisation, owner: User, rival: User
) -> None:
    invitation = services.invitation_send(
        organisation=organisation, by=owner, email="newcomer@example.org"
    )
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(token=invitation.token, user=rival)
    assert caught.value.code == SpacesError.INVITATION_OTHER_EMAIL
    assert not organisation.memberships.filter(user=rival).exists()


def test_a_member_of_another_organisation_cannot_see_its_page(
    organisation: Organisation, rival: User
) -> None:
    client = Client()
    client.force_login(rival)
    assert client.get(f"/spaces/organisations/{organisation.pk}/").status_code == 404
    response = client.post(
        f"/spaces/organisations/{organisation.pk}/invite/", {"email": "x@example.org"}
    )
    assert response.status_code == 404


def test_a_member_sees_the_page_but_not_the_owners_buttons(
    organisation: Organisation, teammate: User
) -> None:
    client = Client()
    client.force_login(teammate)
    response = client.get(f"/spaces/organisations/{organisation.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Send invitation" not in response.content.decode()
