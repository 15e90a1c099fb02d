"""“My living lab”: a resident's overview, their data as JSON, and deleting their account."""

from __future__ import annotations

import json

from django.test import Client

from pilots import services
from pilots.models import ConsentVersion, Enrolment, Pilot, SurveyResponse
from portal.models import User
from portal.notifications.models import Notification
from portal.notifications.registry import kind_values
from portal.reports.models import Report
from tests.pilots.factories import answers_for, join, survey
from tests.reports.factories import ReportFactory


def test_the_page_lists_my_pilots_surveys_reports_and_notifications(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User, manager: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    ReportFactory.create(reporter=resident, description="Kerb broken")
    services.pilot_change_phase(pilot=pilot, to_phase="evaluating", by=manager, reason="x")
    created.phase = "evaluating"
    created.save()
    client.force_login(resident)
    html = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert pilot.title in html
    assert created.title in html
    assert "Road or pavement damage" in html
    assert "is now" in html


def test_nobody_elses_data_is_exported(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User, outsider: User
) -> None:
    join(pilot, resident)
    ReportFactory.create(reporter=outsider, description="Outsider's report")
    client.force_login(resident)
    response = client.get("/me/data.json")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["account"]["username"] == "resident"
    assert [row["pilot"] for row in data["enrolments"]] == ["smart-crosswalk"]
    assert data["reports"] == []


def test_the_export_needs_a_login(client: Client) -> None:
    assert client.get("/me/data.json").status_code == 302


def test_deleting_my_account_needs_my_password(client: Client, resident: User) -> None:
    client.force_login(resident)
    page = client.post("/me/delete/", {"password": "wrong"})
    assert page.status_code == 400
    assert User.objects.filter(pk=resident.pk).exists()


def test_deleting_my_account_removes_personal_data_keeps_reports_and_frees_my_place(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    join(pilot, resident)
    join(pilot, neighbour)
    created = survey(pilot)
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))
    report = ReportFactory.create(reporter=resident)
    client.force_login(resident)
    response = client.post("/me/delete/", {"password": "correct horse battery staple"})
    assert response.status_code == 302
    assert not User.objects.filter(username="resident").exists()
    assert Report.objects.get(pk=report.pk).reporter is None
    assert not SurveyResponse.objects.exists()
    assert Enrolment.objects.get(user=neighbour).status == Enrolment.Status.PARTICIPATING
    assert Notification.objects.filter(user=neighbour, kind="waiting_list").exists()


def test_switching_a_kind_of_notification_off_or_only_its_emails(
    client: Client, resident: User
) -> None:
    client.force_login(resident)
    client.post(
        "/me/preferences/",
        {"receive": ["survey_open", "waiting_list"], "email": ["survey_open", "phase_change"]},
    )
    switched_off = dict(resident.notification_opt_outs.values_list("kind", "channel"))
    # Every kind the apps register and the form left unticked is switched off, and only those;
    # an e-mail ticked for a kind the inbox does not get changes nothing.
    assert {kind for kind, channel in switched_off.items() if channel == "all"} == (
        kind_values() - {"survey_open", "waiting_list"}
    )
    assert switched_off["waiting_list"] == "email"
    assert "survey_open" not in switched_off
    page = client.get("/me/").content.decode()
    assert 'name="email" value="survey_open"' in page
    assert page.count("checked") == 3  # two kinds in the inbox, one of them by e-mail too


def test_a_birth_date_in_the_future_is_refused(client: Client, resident: User) -> None:
    client.force_login(resident)
    client.post("/me/profile/", {"home_district": "", "birth_date": "2999-01-01"})
    resident.refresh_from_db()
    assert resident.birth_date is not None
    assert resident.birth_date.year == 1990


def test_an_answered_survey_leaves_the_surveys_to_answer_for_a_list_of_its_own(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    client.force_login(resident)
    before = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))

    after = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    to_answer = 'data-testid="surveys-to-answer"'
    assert created.title in before.split(to_answer, 1)[1].split("</ul>", 1)[0]
    assert created.title not in after.split(to_answer, 1)[1].split("</ul>", 1)[0]
    assert created.title in after.split('data-testid="surveys-answered"', 1)[1].split("</ul>")[0]
