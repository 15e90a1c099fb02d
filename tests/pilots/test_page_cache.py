"""Cached pilot pages and lists show a change as soon as the service that made it commits."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from pytest_django import DjangoAssertNumQueries

from pilots import services
from pilots.models import ConsentVersion, Pilot, PilotQuestion
from portal.models import User
from sensors.models import Device, Reading
from tests.pilots.factories import PilotFactory, join
from tests.portal.factories import district
from tests.sensors.factories import metric

PAGE = "/pilots/smart-crosswalk/"
CACHED = ["/", "/pilots/", PAGE, "/api/pilots/"]
# How each page says a pilot is being evaluated.
EVALUATING = {
    "/": '"phase": "Evaluating"',
    "/pilots/": "phase-evaluating",
    PAGE: "phase-evaluating",
    "/api/pilots/": '"phase":"evaluating"',
}

Commits = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def visit(url: str) -> str:
    """What an anonymous visitor reading English gets."""
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(url, HTTP_ACCEPT="*/*").content.decode()


def test_a_phase_move_shows_at_once_on_every_cached_page(
    pilot: Pilot, manager: User, django_capture_on_commit_callbacks: Commits
) -> None:
    for url, evaluating in EVALUATING.items():
        assert evaluating not in visit(url)

    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="The year is over."
        )

    for url, evaluating in EVALUATING.items():
        assert evaluating in visit(url), url


def test_a_page_cached_while_the_change_was_still_open_is_retired_when_it_commits(
    pilot: Pilot, manager: User, django_capture_on_commit_callbacks: Commits
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="The year is over."
        )
        # Another request renders and keeps the page before the change commits (here it sees
        # the title as it was; the update stands for what it could not see yet).
        visit(PAGE)
        Pilot.objects.filter(pk=pilot.pk).update(title_en="Smart crossing")
        assert "Smart crossing" not in visit(PAGE)

    assert "Smart crossing" in visit(PAGE)


def test_joining_and_withdrawing_change_the_counts_on_cached_pages(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    django_capture_on_commit_callbacks: Commits,
) -> None:
    assert "0 residents take part" in visit(PAGE)
    assert '"participant_count":0' in visit("/api/pilots/")

    with django_capture_on_commit_callbacks(execute=True):
        join(pilot, resident)

    assert "1 resident takes part" in visit(PAGE)
    assert '"participant_count":1' in visit("/api/pilots/")

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(pilot=pilot, user=resident)

    assert "0 residents take part" in visit(PAGE)


def test_a_published_consent_text_opens_joining_on_cached_pages(
    pilot: Pilot, manager: User, django_capture_on_commit_callbacks: Commits
) -> None:
    assert "Joining opens once" in visit(PAGE)
    assert '"open_to_join":false' in visit("/api/pilots/")

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_version_publish(pilot=pilot, text="We count crossings.", by=manager)

    assert "Joining opens once" not in visit(PAGE)
    assert '"open_to_join":true' in visit("/api/pilots/")


def test_a_published_answer_shows_on_the_cached_pilot_page(
    pilot: Pilot, manager: User, citizen: User, django_capture_on_commit_callbacks: Commits
) -> None:
    question = PilotQuestion.objects.create(pilot=pilot, author=citizen, text="At night too?")
    assert "At night too?" not in visit(PAGE)

    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_question_answer(
            question=question, by=manager, answer="Yes, all night.", publish=True
        )

    assert "Yes, all night." in visit(PAGE)


def test_a_proposed_pilot_shows_at_once_in_the_cached_lists(
    pilot: Pilot, staff_user: User, django_capture_on_commit_callbacks: Commits
) -> None:
    assert "Rooftop gardens" not in visit("/pilots/")

    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_propose(
            title="Rooftop gardens",
            summary="Gardens on public roofs.",
            domain=Pilot.Domain.ENVIRONMENT,
            districts=[district("mapo-gu")],
            partner="Green Seoul",
            by=staff_user,
        )

    assert "Rooftop gardens" in visit("/pilots/")
    assert "Rooftop gardens" in visit("/api/pilots/")


def test_a_pilot_deleted_in_the_admin_leaves_the_cached_lists(
    pilot: Pilot, staff_user: User, django_capture_on_commit_callbacks: Commits
) -> None:
    PilotFactory.create(title="Night bus", slug="night-bus")
    assert "Smart crosswalk" in visit("/pilots/")
    request = RequestFactory().post("/admin/")
    request.user = staff_user

    with django_capture_on_commit_callbacks(execute=True):
        admin.site.get_model_admin(Pilot).delete_model(request, pilot)

    for url in ["/", "/pilots/", "/api/pilots/"]:
        assert "Smart crosswalk" not in visit(url)
        assert "Night bus" in visit(url)


def test_a_district_renamed_in_the_admin_shows_at_once(
    pilot: Pilot, staff_user: User, django_capture_on_commit_callbacks: Commits
) -> None:
    gangnam = district("gangnam-gu")
    assert "Gangnam-gu" in visit(PAGE)
    editor = Client()
    editor.force_login(staff_user)
    form = {
        "name_ko": "강남구",
        "name_en": "Gangnam District",
        "slug": gangnam.slug,
        "boundary": json.dumps(gangnam.boundary),
        "center_latitude": gangnam.center_latitude,
        "center_longitude": gangnam.center_longitude,
    }

    with django_capture_on_commit_callbacks(execute=True):
        answer = editor.post(f"/admin/portal/district/{gangnam.pk}/change/", form)

    assert answer.status_code == 302
    assert "Gangnam District" in visit(PAGE)


@pytest.fixture
def city(pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User) -> Pilot:
    """The pilot with a second pilot beside it, a device with readings, members and a Q&A."""
    other = PilotFactory.create(title="Night bus", slug="night-bus")
    join(pilot, resident)
    device = Device.objects.create(
        name="crossing-1",
        kind=Device.Kind.AIR_QUALITY,
        latitude=37.5,
        longitude=127.03,
        district=district(),
        pilot=pilot,
    )
    Device.objects.create(
        name="bus-1",
        kind=Device.Kind.NOISE,
        latitude=37.5,
        longitude=127.03,
        district=district("mapo-gu"),
        pilot=other,
    )
    for code in ("pm25", "pm10"):
        Reading.objects.create(
            device=device, metric=metric(code), time=device.created_at, value=12.0
        )
    question = PilotQuestion.objects.create(pilot=pilot, author=resident, text="At night too?")
    services.pilot_question_answer(question=question, by=manager, answer="Yes.", publish=True)
    return pilot


@pytest.mark.parametrize("url", [*CACHED, "/api/devices/"])
def test_a_first_visit_asks_no_query_twice_and_the_next_asks_none(
    city: Pilot, url: str, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(30) as first:
        visit(url)
    statements = [query["sql"] for query in first.captured_queries]
    repeated = {sql for sql in statements if statements.count(sql) > 1}
    assert not repeated

    with django_assert_max_num_queries(0):
        visit(url)
