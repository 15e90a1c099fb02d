"""The spaces app's part of a person's data, and what deleting an account does to organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.models import User
from portal.notifications.models import Notification
from portal.spaces import services
from portal.spaces.models import (
    Allocation,
    Application,
    Call,
    Invitation,
    Membership,
    Organisation,
    Space,
)
from portal.spaces.privacy import spaces_erase, spaces_export
from tests.portal.factories import UserFactory
from tests.spaces.factories import (
    CallFactory,
    OrganisationFactory,
    member,
    submitted_application,
)

pytestmark = pytest.mark.django_db


def _roles(organisation: Organisation) -> dict[str, str]:
    return dict(organisation.memberships.values_list("user__username", "role"))


def test_the_export_holds_my_memberships_invitations_applications_and_reviews(
    application: Application,
    owner: User,
    rival: User,
    reviewer: User,
    organisation: Organisation,
) -> None:
    services.invitation_send(organisation=organisation, by=owner, email="newcomer@example.org")
    other = Organisation.objects.get(name="Other Startup")
    services.invitation_send(organisation=other, by=rival, email=owner.email)
    services.invitation_send(organisation=other, by=rival, email="someone@example.org")
    data = spaces_export(user=owner)
    assert data["organisations"] == [
        {
            "organisation": "Radar Lab",
            "registration_number": organisation.registration_number,
            "role": "owner",
            "joined_at": organisation.memberships.get(user=owner).joined_at.isoformat(),
        }
    ]
    invitations = {(row["email"], row["sent_by_me"]) for row in data["organisation_invitations"]}
    assert invitations == {("newcomer@example.org", True), (owner.email, False)}
    [exported] = data["space_applications"]
    assert exported["call"] == "Magok 2025"
    assert exported["status"] == "submitted"
    assert (exported["started_by_me"], exported["submitted_by_me"]) == (True, True)
    assert exported["pitch"] == "We measure crossings with radar."
    assert data["space_reviews"] == {"scores": [], "conflicts_declared": []}

    services.review_record(
        application=application,
        reviewer=reviewer,
        marks=dict.fromkeys(application.call.criteria.all(), (4, "Solid")),
    )
    reviews = spaces_export(user=reviewer)["space_reviews"]
    assert sorted((row["criterion"], row["comment"]) for row in reviews["scores"]) == [
        ("Feasibility", "Solid"),
        ("Innovation", "Solid"),
    ]


def test_a_teammate_who_neither_started_nor_submitted_gets_no_application_in_the_export(
    application: Application, teammate: User
) -> None:
    data = spaces_export(user=teammate)
    assert [row["role"] for row in data["organisations"]] == ["member"]
    assert data["space_applications"] == []


def test_the_last_owner_leaving_hands_the_organisation_to_the_longest_standing_member(
    application: Application,
    organisation: Organisation,
    owner: User,
    teammate: User,
    user_factory: type[UserFactory],
) -> None:
    veteran = user_factory.create(username="veteran")
    # Joined long ago though added to the database last: seniority counts, not the row's age.
    joined = member(organisation, veteran)
    joined.joined_at = timezone.now() - dt.timedelta(days=900)
    joined.save()
    spaces_erase(user=owner)
    assert _roles(organisation) == {"teammate": "member", "veteran": "owner"}
    assert Notification.objects.filter(
        user=veteran, kind="organisation_membership", about_id=organisation.pk
    ).exists()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_an_owner_leaving_beside_another_owner_promotes_nobody(
    organisation: Organisation, owner: User, teammate: User, user_factory: type[UserFactory]
) -> None:
    co_owner = user_factory.create(username="co-owner")
    member(organisation, co_owner, owner=True)
    spaces_erase(user=owner)
    assert _roles(organisation) == {"teammate": "member", "co-owner": "owner"}


def test_a_member_leaving_changes_no_ones_role(
    organisation: Organisation, owner: User, teammate: User
) -> None:
    spaces_erase(user=teammate)
    assert _roles(organisation) == {"owner": "owner"}


def test_the_only_member_leaving_keeps_the_record_and_withdraws_the_open_applications(
    call: Call,
    space: Space,
    owner: User,
    call_manager: User,
    call_factory: type[CallFactory],
    organisation_factory: type[OrganisationFactory],
) -> None:
    alone = organisation_factory.create(name="Solo Lab")
    member(alone, owner, owner=True)
    housed = submitted_application(call, alone, owner, space)
    for status in ("under_review", "shortlisted", "accepted"):
        services.application_decide(application=housed, by=call_manager, to_status=status)
    later_call = call_factory.create(title="Autumn call")
    later_call.spaces.add(space)
    pending = submitted_application(later_call, alone, owner, space)
    spaces_erase(user=owner)
    assert Organisation.objects.filter(pk=alone.pk).exists()
    assert not Membership.objects.filter(organisation=alone).exists()
    housed.refresh_from_db()
    pending.refresh_from_db()
    assert housed.status == Application.Status.ACCEPTED
    assert Allocation.objects.filter(application=housed).exists()
    assert pending.status == Application.Status.WITHDRAWN


def test_invitations_sent_to_the_address_are_forgotten(
    organisation: Organisation, owner: User, rival: User
) -> None:
    services.invitation_send(organisation=organisation, by=owner, email=rival.email.upper())
    services.invitation_send(organisation=organisation, by=owner, email="keep@example.org")
    spaces_erase(user=rival)
    assert list(Invitation.objects.values_list("email", flat=True)) == ["keep@example.org"]
