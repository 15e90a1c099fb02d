"""Who sees a pilot's private data (its private devices and their readings), from every side."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from pilots import services
from pilots.models import ConsentVersion, Enrolment, Pilot
from pilots.permissions import pilots_private_data_seen_by, user_sees_pilot_private_data
from portal.models import User
from tests.pilots.factories import PilotFactory, consent, join
from tests.portal.factories import UserFactory


def test_an_active_participant_sees_the_pilots_private_data(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    assert user_sees_pilot_private_data(resident, pilot)


def test_a_participant_yet_to_agree_to_a_new_consent_text_does_not(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, manager: User
) -> None:
    join(pilot, resident)
    services.consent_version_publish(pilot=pilot, text="Now we also record sound.", by=manager)
    assert Enrolment.objects.get(user=resident).status == Enrolment.Status.PARTICIPATING
    assert not user_sees_pilot_private_data(resident, pilot)


def test_a_withdrawn_resident_does_not(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    services.enrolment_withdraw(pilot=pilot, user=resident)
    assert not user_sees_pilot_private_data(resident, pilot)


def test_a_resident_on_the_waiting_list_does_not(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    join(pilot, resident)
    waiting = join(pilot, neighbour)
    assert waiting.status == Enrolment.Status.WAITING
    assert not user_sees_pilot_private_data(neighbour, pilot)


def test_a_participant_of_another_pilot_does_not(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    elsewhere: Pilot = PilotFactory.create(slug="elsewhere")
    join(elsewhere, resident)
    assert user_sees_pilot_private_data(resident, elsewhere)
    assert not user_sees_pilot_private_data(resident, pilot)


def test_the_pilots_own_manager_does(pilot: Pilot, manager: User) -> None:
    assert user_sees_pilot_private_data(manager, pilot)


def test_a_manager_of_another_pilot_does_not(pilot: Pilot, other_manager: User) -> None:
    elsewhere: Pilot = PilotFactory.create(slug="elsewhere")
    elsewhere.managers.add(other_manager)
    assert user_sees_pilot_private_data(other_manager, elsewhere)
    assert not user_sees_pilot_private_data(other_manager, pilot)


def test_a_citizen_with_no_part_in_the_pilot_does_not(pilot: Pilot, outsider: User) -> None:
    assert not user_sees_pilot_private_data(outsider, pilot)


def test_an_anonymous_visitor_does_not(pilot: Pilot) -> None:
    assert not user_sees_pilot_private_data(AnonymousUser(), pilot)


def test_staff_holding_the_permission_see_every_pilots_private_data(
    pilot: Pilot, staff_user: User
) -> None:
    assert staff_user.has_perm("pilots.view_private_pilot_data")
    assert user_sees_pilot_private_data(staff_user, pilot)


def test_the_permission_alone_is_enough_without_a_staff_role(pilot: Pilot, outsider: User) -> None:
    outsider.user_permissions.add(Permission.objects.get(codename="view_private_pilot_data"))
    granted = User.objects.get(pk=outsider.pk)  # Permissions are cached on the instance.
    assert user_sees_pilot_private_data(granted, pilot)


def test_a_superuser_does(pilot: Pilot) -> None:
    root: User = UserFactory.create(username="root", is_superuser=True)
    assert user_sees_pilot_private_data(root, pilot)


@pytest.mark.parametrize("who", ["participant", "manager", "staff", "superuser"])
def test_an_inactive_account_never_does_whatever_it_was_granted(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    manager: User,
    staff_user: User,
    who: str,
) -> None:
    join(pilot, resident)
    root: User = UserFactory.create(username="root", is_superuser=True)
    user = {"participant": resident, "manager": manager, "staff": staff_user, "superuser": root}[
        who
    ]
    assert user_sees_pilot_private_data(user, pilot)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not user_sees_pilot_private_data(User.objects.get(pk=user.pk), pilot)


def test_the_list_of_pilots_whose_private_data_one_sees_agrees_with_the_question_asked_of_each(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    neighbour: User,
    manager: User,
    other_manager: User,
    staff_user: User,
    outsider: User,
) -> None:
    elsewhere: Pilot = PilotFactory.create(slug="elsewhere")
    elsewhere.managers.add(other_manager)
    consent(elsewhere)
    join(pilot, resident)
    join(elsewhere, neighbour)
    join(elsewhere, resident)
    services.enrolment_withdraw(pilot=elsewhere, user=resident)
    cast: list[User | AnonymousUser] = [
        resident,
        neighbour,
        manager,
        other_manager,
        staff_user,
        outsider,
        AnonymousUser(),
    ]
    seen = {
        user.username or "anonymous": sorted(
            pilots_private_data_seen_by(user).values_list("slug", flat=True)
        )
        for user in cast
    }
    assert seen == {
        "resident": ["smart-crosswalk"],
        "neighbour": ["elsewhere"],
        "manager": ["smart-crosswalk"],
        "other-manager": ["elsewhere"],
        "staff": ["elsewhere", "smart-crosswalk"],
        "outsider": [],
        "anonymous": [],
    }
    for user in cast:
        for each in (pilot, elsewhere):
            assert user_sees_pilot_private_data(user, each) == (
                each.slug in seen[user.username or "anonymous"]
            )
