"""Races on PostgreSQL: the last place, two first answers at once, answers against a withdrawal."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from pilots import services
from pilots.models import Enrolment, Pilot, SurveyResponse
from portal.models import User
from tests.conftest import requires_postgres
from tests.pilots.factories import PilotFactory, answers_for, consent, survey
from tests.portal.factories import UserFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_two_residents_racing_for_the_last_place_do_not_both_get_it() -> None:
    pilot: Pilot = PilotFactory.create(capacity=1)
    version = consent(pilot)
    racers: list[User] = [UserFactory.create(username=f"racer{n}") for n in range(2)]
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


def _running_pilot_with_a_participant() -> tuple[Pilot, User]:
    pilot: Pilot = PilotFactory.create()
    version = consent(pilot)
    resident: User = UserFactory.create(username="resident")
    services.enrolment_join(
        pilot=pilot,
        user=resident,
        consent_version=version.number,
        consent_data_use=True,
        consent_contact=True,
    )
    return pilot, resident


def test_two_first_submissions_at_once_become_an_answer_and_its_revision() -> None:
    pilot, resident = _running_pilot_with_a_participant()
    created = survey(pilot)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(rating: int) -> None:
        try:
            start.wait()
            services.survey_submit(
                survey=created, user=resident, answers=answers_for(created, rating=rating)
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(rating,)) for rating in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    response = SurveyResponse.objects.get(survey=created, user=resident)
    ratings = list(response.answers.exclude(rating=None).values_list("rating", flat=True))
    assert ratings in ([2], [5])


def test_answers_sent_while_the_resident_withdraws_deleting_feedback_are_not_kept() -> None:
    pilot, resident = _running_pilot_with_a_participant()
    created = survey(pilot)
    withdrawn = threading.Event()
    outcome: list[object] = []

    def withdraw() -> None:
        try:
            with transaction.atomic():
                services.enrolment_withdraw(pilot=pilot, user=resident, delete_feedback=True)
                withdrawn.set()
                # Uncommitted for a moment, while the submission reaches the enrolment's row.
                time.sleep(0.5)
        finally:
            withdrawn.set()
            connection.close()

    def submit() -> None:
        withdrawn.wait()
        try:
            services.survey_submit(survey=created, user=resident, answers=answers_for(created))
        except ValidationError as error:
            outcome.append(error.code)
        else:
            outcome.append("saved")
        finally:
            connection.close()

    threads = [threading.Thread(target=withdraw), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcome == ["not_participant"]
    assert not SurveyResponse.objects.filter(user=resident).exists()
