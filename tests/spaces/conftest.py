"""The cast of the spaces tests, and the app's factories as fixtures.

Each factory of `factories.py` is a fixture named after it (`space_factory`, ...), as adhocracy+
registers its factories, so that a test asks for what it builds. The cast: a startup's owner and
member, the owner of another startup, the call's manager and reviewers, and a call with a lab.
"""

from __future__ import annotations

import pytest

from portal.models import User
from portal.roles import Role
from portal.spaces import services
from portal.spaces.models import Application, Call, Organisation, Space
from tests.portal.factories import UserFactory
from tests.spaces.factories import (
    CallFactory,
    InnovationDistrictFactory,
    OrganisationFactory,
    ShortlistedFactory,
    SpaceFactory,
    member,
    submitted_application,
)


@pytest.fixture
def user_factory(db: None) -> type[UserFactory]:
    return UserFactory


@pytest.fixture
def innovation_district_factory(db: None) -> type[InnovationDistrictFactory]:
    return InnovationDistrictFactory


@pytest.fixture
def space_factory(db: None) -> type[SpaceFactory]:
    return SpaceFactory


@pytest.fixture
def organisation_factory(db: None) -> type[OrganisationFactory]:
    return OrganisationFactory


@pytest.fixture
def call_factory(db: None) -> type[CallFactory]:
    return CallFactory


@pytest.fixture
def space(space_factory: type[SpaceFactory]) -> Space:
    return space_factory.create(capacity=4)


@pytest.fixture
def owner(user_factory: type[UserFactory]) -> User:
    return user_factory.create(username="owner")


@pytest.fixture
def teammate(user_factory: type[UserFactory]) -> User:
    return user_factory.create(username="teammate")


@pytest.fixture
def organisation(
    organisation_factory: type[OrganisationFactory], owner: User, teammate: User
) -> Organisation:
    created = organisation_factory.create(name="Radar Lab")
    member(created, owner, owner=True)
    member(created, teammate)
    return created


@pytest.fixture
def rival(user_factory: type[UserFactory], organisation_factory: type[OrganisationFactory]) -> User:
    """The owner of another startup."""
    user = user_factory.create(username="rival")
    member(organisation_factory.create(name="Other Startup"), user, owner=True)
    return user


@pytest.fixture
def call_manager(user_factory: type[UserFactory]) -> User:
    return user_factory.create(username="call-manager", role=Role.PILOT_MANAGER)


@pytest.fixture
def reviewer(user_factory: type[UserFactory]) -> User:
    return user_factory.create(username="reviewer", role=Role.REVIEWER)


@pytest.fixture
def conflicted_reviewer(user_factory: type[UserFactory]) -> User:
    return user_factory.create(username="conflicted", role=Role.REVIEWER)


@pytest.fixture
def call(
    call_factory: type[CallFactory],
    space: Space,
    call_manager: User,
    reviewer: User,
    conflicted_reviewer: User,
) -> Call:
    created = call_factory.create(title="Magok 2025")
    created.spaces.add(space)
    created.managers.add(call_manager)
    created.reviewers.add(reviewer, conflicted_reviewer)
    return created


@pytest.fixture
def application(call: Call, organisation: Organisation, owner: User, space: Space) -> Application:
    """Radar Lab's application to the call for the lab, submitted."""
    return submitted_application(call, organisation, owner, space)


@pytest.fixture
def shortlisted_factory(
    user_factory: type[UserFactory],
    organisation_factory: type[OrganisationFactory],
    call: Call,
    space: Space,
    call_manager: User,
) -> ShortlistedFactory:
    """Makes another startup's application for the lab, submitted and shortlisted."""

    def make(*, team_size: int, to: Call | None = None, by: User | None = None) -> Application:
        person = user_factory.create()
        organisation = organisation_factory.create()
        member(organisation, person, owner=True)
        made = submitted_application(to or call, organisation, person, space, team_size=team_size)
        for status in ("under_review", "shortlisted"):
            services.application_decide(application=made, by=by or call_manager, to_status=status)
        return made

    return make


@pytest.fixture(autouse=True)
def _tasks_inline(eager_tasks: None) -> None:
    """Run Celery tasks in the test's process even when a broker is configured."""
