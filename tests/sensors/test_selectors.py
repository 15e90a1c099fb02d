"""Which private devices a person sees, asked pilot by pilot and for every pilot at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from pilots.models import Pilot
from pilots.permissions import user_sees_pilot_private_data
from pilots.services import enrolment_withdraw
from portal.models import User
from portal.roles import Role
from sensors.models import Device
from sensors.selectors import live_devices, pilots_with_private_devices_seen_by
from tests.pilots.factories import PilotFactory, join
from tests.portal.factories import UserFactory
from tests.sensors.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def private_pilot(**kwargs: Any) -> Pilot:
    pilot = PilotFactory.create(**kwargs)
    DeviceFactory.create(pilot=pilot, visibility=Device.Visibility.PRIVATE)
    return pilot


def fresh(user: User) -> User:
    """The user as a new request loads it, with no permissions cached yet."""
    return User.objects.get(pk=user.pk)


def test_the_live_map_reads_a_members_devices_in_the_same_few_queries_for_any_number_of_pilots(
    django_assert_num_queries: Any,
) -> None:
    member = UserFactory.create(username="member")
    for _number in range(6):
        join(private_pilot(), member)
    DeviceFactory.create()
    user = fresh(member)

    # The user's and their groups' permissions, then the devices.
    with django_assert_num_queries(3):
        devices = live_devices(user=user)

    assert len(devices) == 7


def test_the_live_map_reads_an_anonymous_visitors_devices_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    for _number in range(3):
        private_pilot()
    DeviceFactory.create()

    with django_assert_num_queries(1):
        devices = live_devices(user=AnonymousUser())

    assert [device["public"] for device in devices] == [True]


def test_pilots_seen_at_once_are_those_seen_pilot_by_pilot(manager: User) -> None:
    mine, theirs, joined, left = (private_pilot() for _number in range(4))
    private_pilot().managers.add(manager)
    mine.managers.add(manager)
    retired = UserFactory.create(username="retired-manager", is_active=False)
    mine.managers.add(retired)
    participant = UserFactory.create(username="participant")
    join(joined, participant)
    join(left, participant)
    enrolment_withdraw(pilot=left, user=participant)
    people: list[User | AnonymousUser] = [
        AnonymousUser(),
        UserFactory.create(username="outsider"),
        manager,
        participant,
        UserFactory.create(username="staff", role=Role.STAFF),
        UserFactory.create(username="admin", is_superuser=True),
        retired,
    ]
    pilots = list(Pilot.objects.filter(devices__visibility=Device.Visibility.PRIVATE))

    for person in people:
        user = person if isinstance(person, AnonymousUser) else fresh(person)
        one_by_one = {pilot.pk for pilot in pilots if user_sees_pilot_private_data(user, pilot)}
        at_once = set(pilots_with_private_devices_seen_by(user).values_list("pk", flat=True))
        assert at_once == one_by_one, person
    assert set(
        pilots_with_private_devices_seen_by(fresh(participant)).values_list("pk", flat=True)
    ) == {joined.pk}
    assert theirs.pk not in set(
        pilots_with_private_devices_seen_by(fresh(manager)).values_list("pk", flat=True)
    )


def test_a_pilot_without_private_devices_is_not_among_those_seen(manager: User) -> None:
    PilotFactory.create().managers.add(manager)

    assert not pilots_with_private_devices_seen_by(fresh(manager)).exists()
