"""A pilot's page reads each thing once, however many residents, rules and districts it has."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from pilots.models import EligibilityRule, Pilot
from portal.cache import local_pages_clear
from tests.pilots.factories import PilotFactory, consent, join
from tests.portal.factories import UserFactory, district

pytestmark = pytest.mark.django_db


def cold_cache() -> None:
    """No page kept anywhere: the counts below are those of a page rendered anew."""
    cache.clear()
    local_pages_clear()


# The pilot with its districts and rules; its places taken and waiting (one query); the consent
# text; the timeline; the outcomes (plan, scorecard, earlier scorecards, decision); its devices and
# their newest values (none here, so no readings are read); the questions answered.
VISITOR_QUERIES = 12


def a_pilot(residents: int) -> Pilot:
    pilot = PilotFactory.create(
        slug=f"pilot-{residents}", capacity=50, districts=["gangnam-gu", "mapo-gu", "jung-gu"]
    )
    consent(pilot)
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MINIMUM_AGE, value=19)
    for number in range(residents):
        resident = UserFactory.create(
            username=f"resident-{residents}-{number}",
            home_district=district("gangnam-gu"),
            birth_date=dt.date(1990, 1, 1),
        )
        join(pilot, resident)
    return pilot


def test_a_visitor_gets_the_page_in_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for residents in (1, 6):
        pilot = a_pilot(residents)
        cold_cache()
        with django_assert_num_queries(VISITOR_QUERIES):
            response = client.get(pilot.get_absolute_url())
        assert response.status_code == 200


def test_a_resident_who_may_not_join_reads_the_rules_only_once(client: Client) -> None:
    pilot = a_pilot(1)
    client.force_login(UserFactory.create(home_district=district("dobong-gu")))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(pilot.get_absolute_url())

    assert response.status_code == 200
    # The join box, the eligibility check and the age-limit question share one read.
    rule_reads = [q for q in queries.captured_queries if "pilots_eligibilityrule" in q["sql"]]
    assert len(rule_reads) == 1
    # Besides the visitor's: the session, the user, the enrolment and the permissions that
    # decide which devices the resident sees.
    assert len(queries.captured_queries) <= VISITOR_QUERIES + 6
