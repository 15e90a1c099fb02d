from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from portal.models import User
from portal.notifications.models import Notification
from portal.spaces import selectors, services
from portal.spaces.errors import SpacesError
from portal.spaces.models import Allocation, Application, Space
from tests.conftest import requires_postgres
from tests.portal.factories import UserFactory
from tests.spaces.factories import CallFactory, ShortlistedFactory


@pytest.mark.django_db
def test_accepting_allocates_the_space_asked_for_and_tells_the_members(
    shortlisted_factory: ShortlistedFactory, space: Space, call_manager: User
) -> None:
    application = shortlisted_factory(team_size=3)
    services.application_decide(application=application, by=call_manager, to_status="accepted")
    allocation = Allocation.objects.get(application=application)
    assert (allocation.space, allocation.seats) == (space, 3)
    assert allocation.starts_on == application.move_in
    assert allocation.ends_on == application.move_out
    # The members prefer Korean, the default, so they read "선정" (accepted).
    assert Notification.objects.filter(
        about_id=application.pk, kind="space_application_status", body__contains="선정"
    ).exists()


@pytest.mark.django_db
def test_an_acceptance_that_would_overfill_the_space_on_any_day_is_refused(
    shortlisted_factory: ShortlistedFactory, space: Space, call_manager: User
) -> None:
    first = shortlisted_factory(team_size=3)
    second = shortlisted_factory(team_size=2)
    services.application_decide(application=first, by=call_manager, to_status="accepted")
    with pytest.raises(ValidationError) as caught:
        services.application_decide(application=second, by=call_manager, to_status="accepted")
    assert caught.value.code == SpacesError.OVER_CAPACITY
    second.refresh_from_db()
    assert second.status == Application.Status.SHORTLISTED
    assert Allocation.objects.filter(space=space).count() == 1


@pytest.mark.django_db
def test_allocations_that_do_not_overlap_may_each_fill_the_space(
    shortlisted_factory: ShortlistedFactory, space: Space, call_manager: User
) -> None:
    first = shortlisted_factory(team_size=4)
    second = shortlisted_factory(team_size=4)
    services.application_decide(application=first, by=call_manager, to_status="accepted")
    assert first.move_out is not None
    services.application_decide(
        application=second,
        by=call_manager,
        to_status="accepted",
        starts_on=first.move_out + dt.timedelta(days=1),
        ends_on=first.move_out + dt.timedelta(days=60),
    )
    assert (
        selectors.space_peak_use(
            space=space,
            starts_on=timezone.localdate(),
            ends_on=first.move_out + dt.timedelta(days=60),
        )
        == 4
    )


@requires_postgres
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_decisions_racing_for_the_last_seats_do_not_overfill_the_space(
    monkeypatch: pytest.MonkeyPatch,
    user_factory: type[UserFactory],
    call_factory: type[CallFactory],
    shortlisted_factory: ShortlistedFactory,
    space: Space,
) -> None:
    manager = user_factory.create(username="racing-manager", is_superuser=True)
    # Two calls offering the same space (with four seats): decisions on one call's applications
    # could otherwise be serialised by the call's row alone.
    calls = [call_factory.create() for _ in range(2)]
    for call in calls:
        call.spaces.add(space)
    racers = [shortlisted_factory(team_size=3, to=call, by=manager) for call in calls]
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    counted = selectors.space_peak_use

    def slow_count(**kwargs: Any) -> int:
        # Both decisions count the seats taken before either writes, unless the lock stops one.
        peak = counted(**kwargs)
        time.sleep(0.3)
        return peak

    monkeypatch.setattr("portal.spaces.services.allocation.space_peak_use", slow_count)

    def accept(application: Application) -> None:
        try:
            start.wait()
            services.application_decide(application=application, by=manager, to_status="accepted")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [getattr(error, "code", None) for error in errors] == [SpacesError.OVER_CAPACITY]
    assert Allocation.objects.filter(space=space).count() == 1
    statuses = sorted(
        Application.objects.filter(pk__in=[racer.pk for racer in racers]).values_list(
            "status", flat=True
        )
    )
    assert statuses == [Application.Status.ACCEPTED, Application.Status.SHORTLISTED]


@pytest.mark.django_db
def test_a_space_cannot_shrink_below_the_seats_or_outside_the_dates_it_has_allocated(
    shortlisted_factory: ShortlistedFactory, space: Space, call_manager: User
) -> None:
    application = shortlisted_factory(team_size=3)
    services.application_decide(application=application, by=call_manager, to_status="accepted")
    assert application.move_in is not None
    assert application.move_out is not None
    with pytest.raises(ValidationError) as caught:
        services.space_change_check(
            space=space,
            capacity=2,
            available_from=application.move_in + dt.timedelta(days=1),
            available_until=space.available_until,
        )
    assert {name: [e.code for e in errors] for name, errors in caught.value.error_dict.items()} == {
        "capacity": [SpacesError.OVER_CAPACITY],
        "available_from": [SpacesError.ALLOCATION_DATES],
    }
    # Room for the three seats, from the first day they are taken until the last, is enough.
    services.space_change_check(
        space=space,
        capacity=3,
        available_from=application.move_in,
        available_until=application.move_out,
    )


@pytest.mark.django_db
def test_the_admin_keeps_a_capacity_the_allocations_would_not_fit(
    shortlisted_factory: ShortlistedFactory, space: Space, call_manager: User, admin_user: User
) -> None:
    application = shortlisted_factory(team_size=3)
    services.application_decide(application=application, by=call_manager, to_status="accepted")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    url = f"/admin/spaces/space/{space.pk}/change/"
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name in form.fields
        if (value := form[name].value()) is not None
    }
    data.update({"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0", "capacity": "2"})

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "3 seats are allocated on the busiest day" in refused.content.decode()
    space.refresh_from_db()
    assert space.capacity == 4
    data["capacity"] = "3"
    assert client.post(url, data).status_code == 302
    space.refresh_from_db()
    assert space.capacity == 3
