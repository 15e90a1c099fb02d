"""What a survey's answers fix: the services' rule, and the survey builder that shows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.test import RequestFactory

from pilots import services
from pilots.admin.survey import SurveyQuestionInline
from pilots.errors import PilotErrorCode
from pilots.models import ConsentVersion, Pilot, Survey, SurveyQuestion
from pilots.services.surveys import STORED_CHOICES
from portal.models import User
from tests.pilots.factories import answers_for, join, survey


def _answered(pilot: Pilot, resident: User) -> Survey:
    join(pilot, resident)
    created = survey(pilot)
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))
    return created


def _choice_question(created: Survey) -> SurveyQuestion:
    return created.questions.get(kind=SurveyQuestion.Kind.CHOICE)


def test_once_answered_a_questions_kind_and_scale_are_refused_field_by_field(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    rating_q = _answered(pilot, resident).questions.get(kind=SurveyQuestion.Kind.RATING)
    with pytest.raises(ValidationError) as refused:
        services.survey_question_validate(
            question=rating_q, values={"kind": "text", "scale_min": 1, "scale_max": 10}
        )
    errors = refused.value.error_dict
    assert sorted(errors) == ["kind", "scale_max"]
    assert {error.code for problems in errors.values() for error in problems} == {
        PilotErrorCode.FIXED_ONCE_ANSWERED
    }


def test_once_answered_the_stored_choices_cannot_change(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    choice_q = _choice_question(_answered(pilot, resident))
    with pytest.raises(ValidationError) as refused:
        services.survey_question_validate(
            question=choice_q, values={STORED_CHOICES: "Always\nNever"}
        )
    assert list(refused.value.error_dict) == [STORED_CHOICES]


def test_the_same_choices_sent_with_other_line_ends_and_spaces_are_no_change(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    choice_q = _choice_question(_answered(pilot, resident))
    services.survey_question_validate(
        question=choice_q,
        values={"kind": "choice", STORED_CHOICES: "Morning\r\n Evening \r\n\r\nNight\r\n"},
    )


def test_the_wording_may_still_be_mended_and_questions_added_after_answers(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    answered = _answered(pilot, resident)
    services.survey_question_validate(
        question=_choice_question(answered), values={"prompt": "When do you usually cross?"}
    )
    services.survey_question_validate(
        question=SurveyQuestion(survey=answered, kind="text"), values={"kind": "rating"}
    )


def test_before_the_first_answer_everything_may_change(pilot: Pilot) -> None:
    choice_q = _choice_question(survey(pilot))
    services.survey_question_validate(
        question=choice_q, values={"kind": "text", STORED_CHOICES: "Always\nNever"}
    )


def _as_posted_back(formset: BaseFormSet[Any]) -> dict[str, Any]:
    """The saved questions of an unbound formset, as the browser posts them back unchanged."""
    data: dict[str, Any] = {
        formset.management_form[name].html_name: formset.management_form[name].value()
        for name in formset.management_form.fields
    }
    data[formset.management_form["TOTAL_FORMS"].html_name] = formset.initial_form_count()
    for form in formset.initial_forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value not in (None, False):
                data[field.html_name] = value
    return data


def test_a_change_made_while_the_first_answer_came_in_is_refused_on_its_field(
    rf: RequestFactory, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    choice_q = _choice_question(created)
    request = rf.post("/")
    request.user = manager
    questions = SurveyQuestionInline(Survey, admin.site).get_formset(request, created)
    data = _as_posted_back(questions(instance=created))
    index = next(
        number
        for number, question in enumerate(created.questions.order_by("position", "pk"))
        if question.pk == choice_q.pk
    )
    data[f"questions-{index}-kind"] = SurveyQuestion.Kind.TEXT
    # The page was drawn, and the change posted, before anyone answered; the answer comes in
    # while the change is being saved.
    posted = questions(data, instance=created)
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))

    assert not posted.is_valid()
    (changed,) = [form for form in posted.forms if form.instance.pk == choice_q.pk]
    assert list(changed.errors) == ["kind"]
    assert changed.errors.as_data()["kind"][0].code == PilotErrorCode.FIXED_ONCE_ANSWERED
    choice_q.refresh_from_db()
    assert choice_q.kind == SurveyQuestion.Kind.CHOICE


def test_the_survey_builder_saves_an_unchanged_question_of_an_answered_survey(
    rf: RequestFactory, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    answered = _answered(pilot, resident)
    request = rf.post("/")
    request.user = manager
    questions = SurveyQuestionInline(Survey, admin.site).get_formset(request, answered)
    posted = questions(_as_posted_back(questions(instance=answered)), instance=answered)
    assert posted.is_valid(), posted.errors
