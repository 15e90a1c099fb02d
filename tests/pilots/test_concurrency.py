"""Two residents asking for the last place at the same moment: exactly one gets it."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps
from django.db import connection

from pilots import services
from pilots.models import Enrolment, Pilot
from portal.models import User
from portal.roles import sync_role_groups
from tests.conftest import requires_postgres
from tests.pilots.factories import PilotFactory, consent
from tests.portal.factories import UserFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_two_residents_racing_for_the_last_place_do_not_both_get_it() -> None:
    # An earlier transactional test may have emptied the tables the migrations filled.
    sync_role_groups(apps)
    pilot: Pilot = PilotFactory(capacity=1)
    version = consent(pilot)
    racers: list[User] = [UserFactory(username=f"racer{n}") for n in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def take_the_place(user: User) -> None:
        try:
            start.wait()
            services.enrolment_join(
                pilot=pilot,
                user=user,
                consent_version=version.number,
                consent_data_use=True,
                consent_contact=True,
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_the_place, args=(user,)) for user in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = sorted(Enrolment.objects.filter(pilot=pilot).values_list("status", flat=True))
    assert statuses == [Enrolment.Status.PARTICIPATING, Enrolment.Status.WAITING]
