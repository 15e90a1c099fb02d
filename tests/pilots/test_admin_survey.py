"""The survey builder in the admin: announcing openings, what answers fix, exports, queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from pilots import selectors, services
from pilots.models import ConsentVersion, Pilot, Survey, SurveyQuestion
from pilots.notices import PilotNotice
from portal.models import User
from portal.notifications.models import Notification
from tests.pilots.factories import PilotFactory, answers_for, join, survey

CHOICE_QUESTION = {
    "position": 1,
    "kind": SurveyQuestion.Kind.CHOICE,
    "prompt_ko": "Morning or night?",
    "required": True,
    "choices_ko": "Morning\nNight",
    "scale_min": 1,
    "scale_max": 5,
}


def _post_data(
    created: Survey, new_questions: tuple[dict[str, object], ...] = (), **changes: object
) -> dict[str, object]:
    """The survey's change form as the browser posts it back, with `new_questions` added."""
    data: dict[str, object] = {
        "pilot": created.pilot_id,
        "title_ko": created.title,
        "introduction_ko": created.introduction,
        "phase": created.phase,
    }
    existing = list(created.questions.order_by("position", "pk"))
    rows: list[dict[str, object]] = [
        {
            "id": question.pk,
            "survey": created.pk,
            # A text missing in a language is posted as left empty.
            **{
                name: "" if (value := getattr(question, name)) is None else value
                for name in CHOICE_QUESTION
            },
        }
        for question in existing
    ]
    rows += [dict(question) for question in new_questions]
    data["questions-INITIAL_FORMS"] = len(existing)
    data["questions-TOTAL_FORMS"] = len(rows)
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name == "required":
                if value:
                    data[f"questions-{index}-required"] = "on"
            else:
                data[f"questions-{index}-{name}"] = value
    data.update(changes)
    return data


def _save_posted(client: Client, created: Survey, data: dict[str, object]) -> None:
    response = client.post(reverse("admin:pilots_survey_change", args=[created.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def _save(
    client: Client,
    created: Survey,
    new_questions: tuple[dict[str, object], ...] = (),
    **changes: object,
) -> None:
    _save_posted(client, created, _post_data(created, new_questions, **changes))


def _survey_notices(user: User) -> int:
    return Notification.objects.filter(user=user, kind=PilotNotice.SURVEY_OPEN).count()


def test_a_survey_is_announced_when_its_first_question_is_added_later_and_only_then(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    empty = Survey.objects.create(pilot=pilot, title="First month", phase=pilot.phase)
    client.force_login(manager)
    _save(client, empty)
    assert _survey_notices(resident) == 0

    _save(client, empty, new_questions=(CHOICE_QUESTION,))
    assert _survey_notices(resident) == 1
    empty.refresh_from_db()
    assert empty.announced_at is not None

    _save(client, empty, title_ko="First month, revised")
    assert _survey_notices(resident) == 1


def test_a_survey_moved_to_the_pilots_current_phase_is_announced(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    later = survey(pilot, phase=Pilot.Phase.EVALUATING)
    client.force_login(manager)
    _save(client, later)
    assert _survey_notices(resident) == 0
    _save(client, later, phase=Pilot.Phase.RUNNING)
    assert _survey_notices(resident) == 1


def test_a_survey_opened_by_a_phase_move_is_not_announced_again_when_saved(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    later = survey(pilot, phase=Pilot.Phase.EVALUATING)
    services.pilot_change_phase(
        pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
    )
    assert _survey_notices(resident) == 1
    client.force_login(manager)
    _save(client, later, title="Half-time check")
    assert _survey_notices(resident) == 1


def test_results_csv_keeps_formula_like_text_as_text_and_numbers_as_numbers(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    created = Survey.objects.create(pilot=pilot, title="Risky", phase=pilot.phase)
    rating = SurveyQuestion.objects.create(
        survey=created, kind="rating", prompt="=HYPERLINK(1)", scale_min=-2, scale_max=2
    )
    text = SurveyQuestion.objects.create(survey=created, kind="text", prompt="Anything else?")
    services.survey_submit(
        survey=created, user=resident, answers={rating.pk: -1, text.pk: "@SUM(1+1)"}
    )
    client.force_login(manager)
    exported = client.get(reverse("admin:pilots_survey_results_csv", args=[created.pk]))
    header, row = csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))
    assert header[-2:] == ["'=HYPERLINK(1)", "Anything else?"]
    assert row[-2:] == ["-1", "'@SUM(1+1)"]


def _answered_survey(pilot: Pilot, resident: User) -> Survey:
    join(pilot, resident)
    created = survey(pilot)
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))
    return created


def test_once_answered_a_surveys_pilot_and_its_questions_kind_and_choices_stay_as_they_were(
    client: Client,
    pilot: Pilot,
    consent_v1: ConsentVersion,
    manager: User,
    resident: User,
) -> None:
    answered = _answered_survey(pilot, resident)
    elsewhere: Pilot = PilotFactory.create(slug="elsewhere")
    elsewhere.managers.add(manager)
    choice_q = answered.questions.get(kind=SurveyQuestion.Kind.CHOICE)
    client.force_login(manager)
    page = client.get(reverse("admin:pilots_survey_change", args=[answered.pk]))
    assert "pilot" not in page.context["adminform"].form.fields
    data = _post_data(answered, new_questions=(CHOICE_QUESTION,), pilot=elsewhere.pk)
    index = next(i for i in range(3) if data[f"questions-{i}-id"] == choice_q.pk)
    data[f"questions-{index}-kind"] = SurveyQuestion.Kind.TEXT
    data[f"questions-{index}-choices_ko"] = "Always\nNever"
    data[f"questions-{index}-prompt_ko"] = "When do you usually cross?"
    response = client.post(reverse("admin:pilots_survey_change", args=[answered.pk]), data)
    assert response.status_code == 302
    answered.refresh_from_db()
    choice_q.refresh_from_db()
    assert answered.pilot == pilot
    assert (choice_q.kind, choice_q.choice_list) == ("choice", ["Morning", "Evening", "Night"])
    # The wording may still be mended, and questions added.
    assert choice_q.prompt == "When do you usually cross?"
    assert answered.questions.count() == 4
    _respondents, results = selectors.survey_results(answered)
    (choice_result,) = [result for result in results if result.question == choice_q]
    assert ("Night", 1) in choice_result.distribution


def test_a_survey_nobody_answered_can_still_change_its_questions_kind_and_choices(
    client: Client, pilot: Pilot, manager: User
) -> None:
    created = survey(pilot)
    choice_q = created.questions.get(kind=SurveyQuestion.Kind.CHOICE)
    client.force_login(manager)
    data = _post_data(created)
    index = next(i for i in range(3) if data[f"questions-{i}-id"] == choice_q.pk)
    data[f"questions-{index}-choices_ko"] = "Always\nNever"
    _save_posted(client, created, data)
    choice_q.refresh_from_db()
    assert choice_q.choice_list == ["Always", "Never"]


@pytest.mark.parametrize("extra_questions", [0, 5])
def test_the_survey_builder_costs_the_same_queries_however_many_questions(
    client: Client,
    pilot: Pilot,
    consent_v1: ConsentVersion,
    manager: User,
    resident: User,
    extra_questions: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    answered = _answered_survey(pilot, resident)
    for number in range(extra_questions):
        SurveyQuestion.objects.create(
            survey=answered, position=10 + number, kind="text", prompt=f"More {number}?"
        )
    client.force_login(manager)
    url = reverse("admin:pilots_survey_change", args=[answered.pk])
    with django_assert_num_queries(16):
        page = client.get(url)
    assert page.status_code == 200
