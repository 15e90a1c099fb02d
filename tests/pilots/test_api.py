"""The resident's API: enrolments and survey answers, with errors in the one JSON shape."""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from pilots import services
from pilots.models import ConsentVersion, EligibilityRule, Enrolment, Pilot
from portal.models import User
from tests.pilots.factories import PilotFactory, consent, join, survey


def _client(user: User | None = None) -> APIClient:
    client = APIClient(headers={"accept-language": "en"})
    if user is not None:
        client.force_authenticate(user)
    return client


JOIN = {
    "pilot": "smart-crosswalk",
    "consent_version": 1,
    "consent_data_use": True,
    "consent_contact": True,
}


def test_a_resident_joins_lists_and_withdraws_through_the_api(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    client = _client(resident)
    joined = client.post("/api/me/enrolments/", JOIN, format="json")
    assert joined.status_code == 201
    assert joined.json()["status"] == "participating"
    assert joined.json()["active"] is True
    listed = client.get("/api/me/enrolments/").json()
    assert [row["pilot"] for row in listed] == ["smart-crosswalk"]
    left = client.post(
        "/api/me/enrolments/smart-crosswalk/withdraw/", {"delete_feedback": True}, format="json"
    )
    assert left.json()["status"] == "withdrawn"
    assert client.get("/api/me/enrolments/").json() == []


def test_strangers_get_the_json_error_shape(pilot: Pilot) -> None:
    response = _client().post("/api/me/enrolments/", JOIN, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_an_anonymous_caller_is_told_to_log_in_with_the_session_cookie(pilot: Pilot) -> None:
    response = _client().get("/api/me/enrolments/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Cookie realm="api"')
    assert 'cookie-name="sessionid"' in response["WWW-Authenticate"]


def test_a_broken_rule_names_itself_in_the_error(
    pilot: Pilot, consent_v1: ConsentVersion, outsider: User
) -> None:
    EligibilityRule.objects.create(
        pilot=pilot, kind=EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS
    )
    response = _client(outsider).post("/api/me/enrolments/", JOIN, format="json")
    # The pilot's rules keep this caller out: not a malformed request.
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "not_eligible"
    assert "residents of" in error["message"]
    assert not Enrolment.objects.exists()


def test_missing_consent_ticks_are_refused(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    response = _client(resident).post(
        "/api/me/enrolments/", {**JOIN, "consent_contact": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_missing"


def test_re_consent_through_the_api(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    ConsentVersion.objects.create(pilot=pilot, number=2, text="Second text.")
    client = _client(resident)
    assert client.get("/api/me/enrolments/smart-crosswalk/").json()["needs_consent"] is True
    body = {"consent_version": 2, "consent_data_use": True, "consent_contact": True}
    response = client.post("/api/me/enrolments/smart-crosswalk/consent/", body, format="json")
    assert response.json()["active"] is True


def test_survey_answers_are_given_and_read_back(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    rating_q, choice_q, _text_q = created.questions.order_by("position")
    client = _client(resident)
    listed = client.get("/api/me/surveys/").json()
    assert [(row["id"], row["answered"]) for row in listed] == [(created.pk, False)]
    url = f"/api/me/surveys/{created.pk}/answers/"
    bad = client.put(url, {"answers": [{"question": rating_q.pk, "value": 7}]}, format="json")
    assert bad.status_code == 400
    assert str(rating_q.pk) in bad.json()["error"]["details"]
    body = {
        "answers": [
            {"question": rating_q.pk, "value": 5},
            {"question": choice_q.pk, "value": "Night"},
        ]
    }
    assert client.put(url, body, format="json").status_code == 200
    answers = client.get(url).json()["answers"]
    assert {row["question"]: row["value"] for row in answers} == {
        rating_q.pk: 5,
        choice_q.pk: "Night",
    }


def test_an_outsider_cannot_answer_or_read_a_pilots_survey(pilot: Pilot, outsider: User) -> None:
    created = survey(pilot)
    client = _client(outsider)
    assert client.get(f"/api/me/surveys/{created.pk}/").status_code == 404
    response = client.put(f"/api/me/surveys/{created.pk}/answers/", {"answers": []}, format="json")
    assert response.status_code == 404


def test_pilots_filter_and_show_capacity_and_consent(
    pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    PilotFactory.create(
        slug="bus", title="Bus", domain=Pilot.Domain.MOBILITY, districts=["mapo-gu"]
    )
    client = _client()
    listed = client.get("/api/pilots/", {"district": "gangnam-gu", "q": "crosswalk"}).json()
    assert [row["slug"] for row in listed["results"]] == ["smart-crosswalk"]
    detail = client.get("/api/pilots/smart-crosswalk/").json()
    assert detail["consent"]["version"] == 1
    assert detail["participant_count"] == 0


def test_the_openapi_schema_documents_the_residents_endpoints() -> None:
    schema = _client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/me/enrolments/",
        "/api/me/enrolments/{pilot}/withdraw/",
        "/api/me/enrolments/{pilot}/consent/",
        "/api/me/surveys/{id}/answers/",
    ):
        assert path in schema


@pytest.mark.parametrize("pilots", [1, 4])
def test_my_enrolments_list_in_one_query_however_many(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    neighbour: User,
    manager: User,
    pilots: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    join(pilot, resident)
    for number in range(pilots):
        other: Pilot = PilotFactory.create(slug=f"full-{number}", capacity=1)
        other.managers.add(manager)
        consent(other)
        join(other, neighbour)
        join(other, resident)
        services.consent_version_publish(pilot=other, text="Second text.", by=manager)
    client = _client(resident)
    with django_assert_num_queries(1):
        listed = client.get("/api/me/enrolments/").json()
    assert [
        (row["status"], row["waiting_position"], row["needs_consent"], row["active"])
        for row in listed
    ] == [("waiting", 1, True, False)] * pilots + [("participating", None, False, True)]


def test_answer_errors_speak_the_residents_language(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    rating_q = created.questions.get(position=1)
    client = APIClient(headers={"accept-language": "ko"})
    client.force_authenticate(resident)
    url = f"/api/me/surveys/{created.pk}/answers/"
    unanswered = client.get(url)
    assert unanswered.status_code == 404
    assert unanswered.json()["error"]["message"] == "아직 이 설문에 응답하지 않았습니다."
    twice = [{"question": rating_q.pk, "value": 3}, {"question": rating_q.pk, "value": 4}]
    duplicated = client.put(url, {"answers": twice}, format="json")
    assert duplicated.status_code == 400
    assert "각 질문에는 한 번만 응답할 수 있습니다." in str(duplicated.json()["error"])


def test_a_broken_rule_answers_in_exactly_the_one_error_shape(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    response = _client(resident).post(
        "/api/me/enrolments/smart-crosswalk/withdraw/", {"delete_feedback": False}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "status": 409,
            "code": "not_enrolled",
            "message": "You are not enrolled in this pilot.",
        }
    }


def test_answers_that_break_rules_are_listed_question_by_question_in_details(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    rating_q, choice_q, _text_q = created.questions.order_by("position")
    response = _client(resident).put(
        f"/api/me/surveys/{created.pk}/answers/",
        {"answers": [{"question": rating_q.pk, "value": 7}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": f"{rating_q.pk}: Choose a number from 1 to 5.",
            "details": {
                str(rating_q.pk): ["Choose a number from 1 to 5."],
                str(choice_q.pk): ["Please answer this question."],
            },
        }
    }


def test_a_survey_of_another_phase_refuses_answers_with_its_own_code(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    later = survey(pilot, phase=Pilot.Phase.EVALUATING)
    response = _client(resident).put(
        f"/api/me/surveys/{later.pk}/answers/", {"answers": []}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "survey_closed"
    assert "details" not in response.json()["error"]


def test_a_consent_text_changed_since_it_was_read_is_a_conflict(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    consent(pilot, "We also record how fast you cross.")
    response = _client(resident).post("/api/me/enrolments/", JOIN, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "consent_outdated"
    assert not Enrolment.objects.exists()


def test_joining_a_pilot_that_does_not_exist_is_not_found(resident: User) -> None:
    response = _client(resident).post(
        "/api/me/enrolments/", {**JOIN, "pilot": "no-such-pilot"}, format="json"
    )
    assert response.status_code == 404


def test_a_form_says_a_boolean_with_the_word_true_or_false_only(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    client = _client(resident)
    url = "/api/me/enrolments/smart-crosswalk/withdraw/"
    refused = client.post(url, {"delete_feedback": "0"}, format="multipart")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["details"]) == ["delete_feedback"]
    left = client.post(url, {"delete_feedback": "false"}, format="multipart")
    assert left.status_code == 200
    assert left.json()["status"] == "withdrawn"


def test_a_field_the_operation_does_not_take_is_refused_rather_than_ignored(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    response = _client(resident).post(
        "/api/me/enrolments/", {**JOIN, "consent_contacts": True}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["consent_contacts"]
    assert not Enrolment.objects.exists()
