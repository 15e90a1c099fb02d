"""A pilot's device cards lead to each device's page and wear the grade of its newest values."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from pilots.models import Pilot
from tests.sensors.factories import DeviceFactory, ReadingFactory, metric

pytestmark = pytest.mark.django_db


def test_a_device_card_links_to_the_device_and_is_coloured_and_labelled_by_its_grade(
    client: Client, pilot: Pilot
) -> None:
    device = DeviceFactory.create(pilot=pilot)
    ReadingFactory.create(device=device, metric=metric("pm25"), value=52.0, time=timezone.now())

    page = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    card = page.split('class="card device-card', 1)[1].split("</li>\n", 1)[0]
    assert card.startswith(" grade-bad")
    assert f'href="/sensors/devices/{device.pk}/"' in card
    assert '<span class="grade grade-bad">Bad</span>' in card


def test_a_device_without_readings_has_no_grade(client: Client, pilot: Pilot) -> None:
    DeviceFactory.create(pilot=pilot)

    page = client.get(pilot.get_absolute_url()).content.decode()

    assert 'class="card device-card">' in page
