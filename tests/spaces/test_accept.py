"""Accepting in the admin: the manager picks the space and the dates on a page of its own."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from portal.models import User
from portal.spaces import services
from portal.spaces.models import Allocation, Application, Call, Organisation, Space
from tests.spaces.factories import ShortlistedFactory, SpaceFactory, submitted_application

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/spaces/application/"


def _logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _accept(client: Client, *applications: Application, **answers: object) -> TestResponse:
    """Run the accept action on the applications; with answers, apply them to the first one."""
    data: dict[str, object] = {
        "action": "accept",
        "_selected_action": [application.pk for application in applications],
    }
    if answers:
        prefix = f"accept-{applications[0].pk}"
        data["apply"] = "1"
        data.update({f"{prefix}-{name}": value for name, value in answers.items()})
    return client.post(CHANGELIST, data)


@pytest.fixture
def desk(space_factory: type[SpaceFactory], call: Call) -> Space:
    created = space_factory.create(name="Shared desks", kind=Space.Kind.DESK, capacity=10)
    call.spaces.add(created)
    return created


@pytest.fixture
def wants_both(
    call: Call,
    organisation: Organisation,
    owner: User,
    space: Space,
    desk: Space,
    call_manager: User,
) -> Application:
    """Radar Lab's application for the lab and the desks, shortlisted."""
    application = submitted_application(call, organisation, owner, space, team_size=3)
    Application.objects.get(pk=application.pk).spaces.add(desk)
    for status in ("under_review", "shortlisted"):
        services.application_decide(application=application, by=call_manager, to_status=status)
    application.refresh_from_db()
    return application


def test_the_page_offers_the_spaces_asked_for_and_starts_from_the_dates_asked_for(
    wants_both: Application,
    call_manager: User,
    space_factory: type[SpaceFactory],
    call: Call,
) -> None:
    not_asked = space_factory.create(name="Unwanted office")
    call.spaces.add(not_asked)
    response = _accept(_logged_in(call_manager), wants_both)
    assert response.status_code == 200
    form = response.context["forms"][0]
    assert set(form.fields["space"].queryset) == set(wants_both.spaces.all())
    assert wants_both.move_in is not None
    assert wants_both.move_out is not None
    html = response.content.decode()
    assert "Unwanted office" not in html
    assert f'value="{wants_both.move_in.isoformat()}"' in html
    assert f'value="{wants_both.move_out.isoformat()}"' in html
    assert f'name="accept-{wants_both.pk}-seats" value="3"' in html
    assert "4 of 4 seats free" in html
    assert not Allocation.objects.exists()


def test_the_manager_gives_another_space_asked_for_and_other_dates(
    wants_both: Application, call_manager: User, desk: Space
) -> None:
    assert wants_both.move_in is not None
    starts_on = wants_both.move_in + dt.timedelta(days=14)
    ends_on = starts_on + dt.timedelta(days=89)
    response = _accept(
        _logged_in(call_manager),
        wants_both,
        space=desk.pk,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        seats=2,
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert (allocation.application_id, allocation.space, allocation.seats) == (
        wants_both.pk,
        desk,
        2,
    )
    assert (allocation.starts_on, allocation.ends_on) == (starts_on, ends_on)
    wants_both.refresh_from_db()
    assert wants_both.status == Application.Status.ACCEPTED
    assert wants_both.decided_by == call_manager


def test_an_acceptance_beyond_capacity_shows_the_services_reason_on_the_page(
    shortlisted_factory: ShortlistedFactory, call_manager: User, space: Space
) -> None:
    first = shortlisted_factory(team_size=3)
    second = shortlisted_factory(team_size=2)
    services.application_decide(application=first, by=call_manager, to_status="accepted")
    assert second.move_in is not None
    assert second.move_out is not None
    response = _accept(
        _logged_in(call_manager),
        second,
        space=space.pk,
        starts_on=second.move_in.isoformat(),
        ends_on=second.move_out.isoformat(),
        seats=2,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "has room for 4" in html
    assert "2 more would not fit" in html
    assert 'class="errorlist nonfield"' in html
    second.refresh_from_db()
    assert second.status == Application.Status.SHORTLISTED
    assert Allocation.objects.filter(application=second).count() == 0


def test_a_last_day_before_the_first_is_refused_before_anything_is_allocated(
    wants_both: Application, call_manager: User, space: Space
) -> None:
    assert wants_both.move_in is not None
    response = _accept(
        _logged_in(call_manager),
        wants_both,
        space=space.pk,
        starts_on=wants_both.move_in.isoformat(),
        ends_on=(wants_both.move_in - dt.timedelta(days=1)).isoformat(),
        seats=3,
    )
    assert response.status_code == 200
    assert "The last day comes before the first." in response.content.decode()
    assert not Allocation.objects.exists()


def test_an_application_still_under_review_is_not_offered_for_acceptance(
    application: Application, call_manager: User
) -> None:
    services.application_decide(application=application, by=call_manager, to_status="under_review")
    response = _accept(_logged_in(call_manager), application)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    assert not Allocation.objects.exists()


def test_a_pilot_manager_who_does_not_manage_the_call_cannot_accept(
    wants_both: Application, manager: User, space: Space
) -> None:
    assert wants_both.move_in is not None
    assert wants_both.move_out is not None
    _accept(
        _logged_in(manager),
        wants_both,
        space=space.pk,
        starts_on=wants_both.move_in.isoformat(),
        ends_on=wants_both.move_out.isoformat(),
        seats=3,
    )
    wants_both.refresh_from_db()
    assert wants_both.status == Application.Status.SHORTLISTED
    assert not Allocation.objects.exists()


def test_a_reviewer_cannot_accept(wants_both: Application, reviewer: User, space: Space) -> None:
    assert wants_both.move_in is not None
    assert wants_both.move_out is not None
    client = _logged_in(reviewer)
    assert "Accept and allocate" not in client.get(CHANGELIST).content.decode()
    _accept(
        client,
        wants_both,
        space=space.pk,
        starts_on=wants_both.move_in.isoformat(),
        ends_on=wants_both.move_out.isoformat(),
        seats=3,
    )
    wants_both.refresh_from_db()
    assert wants_both.status == Application.Status.SHORTLISTED
    assert not Allocation.objects.exists()
