"""The pilot's pages: what a visitor sees, joining with consent, withdrawing, asking."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from pilots import services
from pilots.models import ConsentVersion, EligibilityRule, Enrolment, Pilot, PilotQuestion
from portal.models import User
from sensors.models import Device, Metric, Reading
from tests.pilots.factories import PilotFactory, consent, join, survey
from tests.portal.factories import district

JOIN_URL = "/pilots/smart-crosswalk/join/"


def test_the_pilot_page_shows_goal_area_capacity_devices_and_the_call_to_join(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(
        goal="Fewer night-time accidents.",
        capacity=30,
        area={
            "type": "Polygon",
            "coordinates": [[[127.02, 37.49], [127.04, 37.49], [127.04, 37.51], [127.02, 37.49]]],
        },
    )
    device = Device.objects.create(
        name="Crossing 1",
        kind=Device.Kind.NOISE,
        latitude=37.5,
        longitude=127.03,
        district=district(),
        pilot=pilot,
    )
    Device.objects.create(
        name="Hidden meter",
        kind=Device.Kind.NOISE,
        latitude=37.5,
        longitude=127.03,
        district=district(),
        pilot=pilot,
        visibility=Device.Visibility.PRIVATE,
    )
    noise = Metric.objects.get(code="noise")
    now = timezone.now()
    Reading.objects.create(device=device, metric=noise, time=now - dt.timedelta(hours=1), value=50)
    Reading.objects.create(device=device, metric=noise, time=now, value=61.5)
    html = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fewer night-time accidents." in html
    assert 'id="pilot-area"' in html
    assert "0 of 30 places taken" in html
    assert "61.5" in html
    assert "Hidden meter" not in html
    assert JOIN_URL in html


def test_participants_see_the_pilots_private_devices(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    Device.objects.create(
        name="Hidden meter",
        kind=Device.Kind.NOISE,
        latitude=37.5,
        longitude=127.03,
        district=district(),
        pilot=pilot,
        visibility=Device.Visibility.PRIVATE,
    )
    join(pilot, resident)
    client.force_login(resident)
    assert "Hidden meter" in client.get(pilot.get_absolute_url()).content.decode()


def test_joining_asks_a_visitor_to_log_in_first(client: Client, pilot: Pilot) -> None:
    response = client.get(JOIN_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_joining_without_ticking_both_consents_explains_and_enrols_nobody(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    client.force_login(resident)
    page = client.post(
        JOIN_URL, {"consent_version": 1, "consent_data_use": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 400
    assert "being contacted" in page.content.decode()
    assert not Enrolment.objects.exists()


def _form_state(html: str) -> tuple[str, list[str]]:
    """The consent version the join form carries, and the names of the ticked boxes."""
    version = re.search(r'<input type="hidden" name="consent_version" value="(\d+)"', html)
    assert version is not None
    ticked = re.findall(r'<input type="checkbox" name="(\w+)"[^>]*checked', html)
    return version.group(1), ticked


def test_a_citizen_who_read_an_old_consent_text_is_shown_the_new_one_and_can_join(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    client.force_login(resident)
    consent(pilot, "We now also record sound.")
    ticks = {"consent_data_use": "on", "consent_contact": "on"}
    page = client.post(JOIN_URL, {"consent_version": 1, **ticks})
    assert page.status_code == 400
    html = page.content.decode()
    assert "now version 2" in html
    assert "We now also record sound." in html
    assert _form_state(html) == ("2", [])
    assert not Enrolment.objects.exists()

    again = client.post(JOIN_URL, {"consent_version": _form_state(html)[0], **ticks})
    assert again.status_code == 302
    agreed_to = Enrolment.objects.get(user=resident).consent_version
    assert agreed_to is not None
    assert agreed_to.number == 2


def test_a_participant_agreeing_to_a_text_replaced_meanwhile_is_shown_the_newest(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    consent(pilot, "Version two.")
    consent(pilot, "Version three.")
    client.force_login(resident)
    ticks = {"consent_data_use": "on", "consent_contact": "on"}
    page = client.post(JOIN_URL, {"consent_version": 2, **ticks})
    assert page.status_code == 400
    assert _form_state(page.content.decode()) == ("3", [])
    assert client.post(JOIN_URL, {"consent_version": 3, **ticks}).status_code == 302
    agreed_to = Enrolment.objects.get(user=resident).consent_version
    assert agreed_to is not None
    assert agreed_to.number == 3


def test_the_join_page_warns_of_a_failed_rule_before_anything_is_sent(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, outsider: User
) -> None:
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MINIMUM_AGE, value=19)
    client.force_login(outsider)
    html = client.get(JOIN_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "add your birth date" in html


def test_a_resident_joins_then_withdraws_from_the_pages(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    client.force_login(resident)
    joined = client.post(
        JOIN_URL, {"consent_version": 1, "consent_data_use": "on", "consent_contact": "on"}
    )
    assert joined.status_code == 302
    assert Enrolment.objects.get(user=resident).status == Enrolment.Status.PARTICIPATING
    client.post("/pilots/smart-crosswalk/withdraw/", {"delete_feedback": "on"})
    assert Enrolment.objects.get(user=resident).status == Enrolment.Status.WITHDRAWN


def test_questions_show_only_once_answered_and_published(
    client: Client, pilot: Pilot, resident: User, manager: User
) -> None:
    client.force_login(resident)
    client.post("/pilots/smart-crosswalk/ask/", {"text": "Does it work in the rain?"})
    question = PilotQuestion.objects.get()
    assert "Does it work in the rain?" not in client.get(pilot.get_absolute_url()).content.decode()
    services.pilot_question_answer(question=question, by=manager, answer="Yes.", publish=True)
    assert "Does it work in the rain?" in client.get(pilot.get_absolute_url()).content.decode()


def test_another_manager_cannot_answer_my_pilots_questions(
    pilot: Pilot, resident: User, other_manager: User
) -> None:
    import pytest
    from django.core.exceptions import PermissionDenied

    question = services.pilot_question_ask(pilot=pilot, user=resident, text="Why here?")
    with pytest.raises(PermissionDenied):
        services.pilot_question_answer(
            question=question, by=other_manager, answer="Hi", publish=True
        )


def test_an_outsider_cannot_open_a_survey_form(
    client: Client, pilot: Pilot, outsider: User
) -> None:
    created = survey(pilot)
    client.force_login(outsider)
    html = client.get(created.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only active participants" in html
    assert '<form method="post" novalidate' not in html


def test_the_pilot_list_costs_a_fixed_number_of_queries(
    db: None, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for number in range(15):
        PilotFactory.create(title=f"Pilot {number}", capacity=10)
    with django_assert_max_num_queries(6):
        response = client.get("/pilots/")
    assert response.status_code == 200


def test_a_pilot_without_a_consent_text_offers_no_way_to_join(client: Client, pilot: Pilot) -> None:
    html = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert JOIN_URL not in html
    assert "Joining opens once" in html
    listed = client.get("/api/pilots/").json()["results"]
    assert listed[0]["open_to_join"] is False


def test_a_recruiting_pilots_timeline_does_not_date_recruiting_by_the_start_to_come(
    client: Client, pilot: Pilot
) -> None:
    start = timezone.localdate() + dt.timedelta(days=16)
    Pilot.objects.filter(pk=pilot.pk).update(phase=Pilot.Phase.RECRUITING, start_date=start)

    html = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    timeline = html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Recruiting" in timeline
    assert str(start.year) not in timeline
