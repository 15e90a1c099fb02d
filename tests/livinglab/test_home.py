"""The home page: counts that agree with the pilot list, one read of the pilots."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from pilots.models import Pilot
from portal.cache import local_pages_clear
from tests.pilots.factories import PilotFactory, consent
from tests.sensors.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def cold_cache() -> None:
    """No page kept anywhere: the counts below are those of a page rendered anew."""
    cache.clear()
    local_pages_clear()


# Pilots and their districts, the districts for the map, the pilot list's count, the live map's
# devices and metrics.
HOME_QUERIES = 6


def a_city(pilots: int) -> None:
    for number in range(pilots):
        pilot = PilotFactory.create(phase=Pilot.Phase.RUNNING, districts=["gangnam-gu", "mapo-gu"])
        consent(pilot)
        DeviceFactory.create(pilot=pilot, name=f"device-{pilots}-{number}")


def test_only_recruiting_and_running_pilots_count_as_testing_and_the_button_counts_them_all(
    client: Client,
) -> None:
    PilotFactory.create(phase=Pilot.Phase.RUNNING)
    PilotFactory.create(phase=Pilot.Phase.RECRUITING)
    PilotFactory.create(phase=Pilot.Phase.PROPOSED)
    PilotFactory.create(phase=Pilot.Phase.STOPPED)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    listed = client.get("/pilots/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "2 pilots are testing new technology" in page
    assert "Browse all 4 pilots" in page
    assert "4 pilots</h2>" in listed


def test_the_home_page_reads_its_pilots_once_however_many_there_are(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    a_city(2)
    cold_cache()
    with django_assert_num_queries(HOME_QUERIES):
        client.get("/")

    a_city(5)
    cold_cache()
    with django_assert_num_queries(HOME_QUERIES):
        client.get("/")
