from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from portal.models import User
from portal.spaces import selectors
from portal.spaces.models import Application, Call, Organisation, Space
from tests.spaces.factories import (
    CallFactory,
    OrganisationFactory,
    member,
    submitted_application,
)

pytestmark = pytest.mark.django_db


def test_my_memberships_come_with_their_applications_in_two_queries_however_many(
    application: Application,
    owner: User,
    rival: User,
    space: Space,
    call_factory: type[CallFactory],
    organisation_factory: type[OrganisationFactory],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for index in range(3):
        organisation = organisation_factory.create(name=f"Side project {index}")
        member(organisation, owner)
        call = call_factory.create()
        call.spaces.add(space)
        submitted_application(call, organisation, owner, space)
    with django_assert_num_queries(2):
        seen = [
            (
                membership.organisation.name,
                membership.role,
                [item.call.title for item in membership.organisation.applications.all()],
            )
            for membership in selectors.memberships_with_applications(owner)
        ]
    assert [name for name, _role, _calls in seen] == [
        "Radar Lab",
        "Side project 0",
        "Side project 1",
        "Side project 2",
    ]
    assert seen[0][1:] == ("owner", ["Magok 2025"])
    assert all(len(calls) == 1 for _name, _role, calls in seen)


def test_nobody_elses_organisations_come_with_mine(
    organisation: Organisation, owner: User, rival: User, call: Call
) -> None:
    names = [m.organisation.name for m in selectors.memberships_with_applications(rival)]
    assert names == ["Other Startup"]
