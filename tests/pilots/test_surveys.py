"""Surveys: answered once per participant, revised while open, summed up for managers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from pilots import selectors, services
from pilots.models import ConsentVersion, Pilot, SurveyAnswer, SurveyResponse
from portal.models import User
from tests.pilots.factories import answers_for, join, survey


@pytest.fixture
def participant(pilot: Pilot, consent_v1: ConsentVersion, resident: User) -> User:
    join(pilot, resident)
    return resident


def test_a_participant_answers_once_and_revises_while_open(pilot: Pilot, participant: User) -> None:
    created = survey(pilot)
    services.survey_submit(survey=created, user=participant, answers=answers_for(created, rating=2))
    services.survey_submit(survey=created, user=participant, answers=answers_for(created, rating=5))
    response = SurveyResponse.objects.get(survey=created, user=participant)
    assert [answer.value for answer in response.answers.order_by("question__position")] == [
        5,
        "Night",
    ]


def test_a_closed_survey_takes_no_answers(pilot: Pilot, participant: User) -> None:
    created = survey(pilot, phase=Pilot.Phase.EVALUATING)
    with pytest.raises(ValidationError) as error:
        services.survey_submit(survey=created, user=participant, answers=answers_for(created))
    assert error.value.code == "survey_closed"


def test_someone_not_taking_part_cannot_answer(pilot: Pilot, outsider: User) -> None:
    created = survey(pilot)
    with pytest.raises(ValidationError) as error:
        services.survey_submit(survey=created, user=outsider, answers=answers_for(created))
    assert error.value.code == "not_participant"
    assert not created.responses.exists()


def test_bad_answers_are_named_per_question_and_nothing_is_saved(
    pilot: Pilot, participant: User
) -> None:
    created = survey(pilot)
    rating_q, choice_q, _text_q = created.questions.order_by("position")
    with pytest.raises(ValidationError) as error:
        services.survey_submit(
            survey=created, user=participant, answers={rating_q.pk: 9, choice_q.pk: "Noon"}
        )
    problems = error.value.message_dict
    assert problems[str(rating_q.pk)] == ["Choose a number from 1 to 5."]
    assert problems[str(choice_q.pk)] == ["Choose one of the offered answers."]
    assert not created.responses.exists()


def test_a_required_question_left_empty_is_refused(pilot: Pilot, participant: User) -> None:
    created = survey(pilot)
    with pytest.raises(ValidationError, match="Please answer this question"):
        services.survey_submit(survey=created, user=participant, answers={})


def test_answers_to_another_surveys_questions_are_refused(pilot: Pilot, participant: User) -> None:
    created = survey(pilot)
    other = survey(pilot)
    stray = other.questions.first()
    assert stray is not None
    answers = {**answers_for(created), stray.pk: 3}
    with pytest.raises(ValidationError) as error:
        services.survey_submit(survey=created, user=participant, answers=answers)
    assert error.value.code == "unknown_question"


def test_results_give_counts_means_distributions_and_free_texts(
    pilot: Pilot, participant: User, neighbour: User
) -> None:
    join(pilot, neighbour)
    created = survey(pilot)
    services.survey_submit(
        survey=created, user=participant, answers=answers_for(created, rating=4, text="Brighter")
    )
    services.survey_submit(
        survey=created,
        user=neighbour,
        answers=answers_for(created, rating=5, choice="Morning", text="Faster"),
    )
    respondents, (rating, choice, text) = selectors.survey_results(created)
    assert respondents == 2
    assert rating.count == 2
    assert rating.mean == 4.5
    assert rating.distribution == [("1", 0), ("2", 0), ("3", 0), ("4", 1), ("5", 1)]
    assert choice.distribution == [("Morning", 1), ("Evening", 0), ("Night", 1)]
    assert sorted(text.texts) == ["Brighter", "Faster"]


def test_the_survey_page_saves_answers_and_shows_them_again(
    client: Client, pilot: Pilot, participant: User
) -> None:
    created = survey(pilot)
    rating_q, choice_q, text_q = created.questions.order_by("position")
    client.force_login(participant)
    posted = client.post(
        created.get_absolute_url(),
        {f"q{rating_q.pk}": "3", f"q{choice_q.pk}": "Evening", f"q{text_q.pk}": "ok"},
    )
    assert posted.status_code == 302
    page = client.get(created.get_absolute_url())
    checked = re.findall(
        r'<input type="radio"[^>]*value="([^"]+)"[^>]*checked', page.content.decode()
    )
    assert checked == ["3", "Evening"]
    assert SurveyResponse.objects.filter(survey=created, user=participant).exists()


def test_the_survey_page_shows_what_is_wrong(
    client: Client, pilot: Pilot, participant: User
) -> None:
    created = survey(pilot)
    client.force_login(participant)
    page = client.post(created.get_absolute_url(), {})
    assert page.status_code == 400
    assert "Please answer this question." in page.content.decode()


def test_a_first_answer_meeting_one_saved_meanwhile_revises_it_instead_of_failing(
    pilot: Pilot, participant: User
) -> None:
    created = survey(pilot)
    rating_q = created.questions.get(position=1)
    landed: list[SurveyResponse] = []

    def another_submission_lands_after_the_look_up(
        execute: Callable[[str, object, bool, dict[str, object]], object],
        sql: str,
        params: object,
        many: bool,
        context: dict[str, object],
    ) -> object:
        result = execute(sql, params, many, context)
        if not landed and sql.startswith("SELECT") and 'FROM "pilots_surveyresponse"' in sql:
            # The other request saves its response (and an answer) just after this one looked.
            landed.extend(
                SurveyResponse.objects.bulk_create(
                    [SurveyResponse(survey=created, user=participant)]
                )
            )
            SurveyAnswer.objects.create(response=landed[0], question=rating_q, rating=1)
        return result

    with connection.execute_wrapper(another_submission_lands_after_the_look_up):
        saved = services.survey_submit(
            survey=created, user=participant, answers=answers_for(created, rating=5)
        )
    assert landed
    response = SurveyResponse.objects.get(survey=created, user=participant)
    assert saved.pk == response.pk
    assert list(response.answers.exclude(rating=None).values_list("rating", flat=True)) == [5]
