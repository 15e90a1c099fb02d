"""The demo's pilots speak Korean and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from pilots import demo
from pilots.models import ConsentVersion, Survey, SurveyQuestion
from portal.languages import texts_by_language

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def test_every_demo_pilot_has_its_texts_in_both_languages() -> None:
    pilots = demo.seed_pilots(today=TODAY)

    assert len(pilots) == len(demo.PILOTS)
    for pilot in pilots.values():
        for field in ["title", "summary"]:
            assert all(texts_by_language(pilot, field).values()), (pilot.slug, field)
        partner = texts_by_language(pilot, "partner")
        assert bool(partner["ko"]) == bool(partner["en"]), pilot.slug
    for version in ConsentVersion.objects.all():
        texts = texts_by_language(version, "text")
        assert texts["ko"].startswith(f"{texts_by_language(version.pilot, 'title')['ko']} 시범사업")
        assert "Consent to take part" in texts["en"]


def test_the_demo_survey_and_its_choices_are_in_both_languages() -> None:
    demo.seed_pilots(today=TODAY)

    survey = Survey.objects.get(pilot__slug="smart-crosswalk")
    assert all(texts_by_language(survey, "title").values())
    assert all(texts_by_language(survey, "introduction").values())
    for question in survey.questions.all():
        assert all(texts_by_language(question, "prompt").values()), question.position
    choice = survey.questions.get(kind=SurveyQuestion.Kind.CHOICE)
    assert choice.choices_in("ko") == ["아침", "낮", "저녁", "밤"]
    with translation.override("en"):
        assert choice.choice_options == [
            ("아침", "Morning"),
            ("낮", "Daytime"),
            ("저녁", "Evening"),
            ("밤", "Night"),
        ]


def test_seeding_the_pilots_again_adds_nothing_and_keeps_a_managers_phase() -> None:
    first = demo.seed_pilots(today=TODAY)
    crosswalk = first["smart-crosswalk"]
    crosswalk.phase = crosswalk.Phase.EVALUATING
    crosswalk.save(update_fields=["phase"])

    demo.seed_pilots(today=TODAY)

    crosswalk.refresh_from_db()
    assert crosswalk.phase == crosswalk.Phase.EVALUATING
    assert ConsentVersion.objects.filter(pilot=crosswalk).count() == 1
    assert SurveyQuestion.objects.filter(survey__pilot=crosswalk).count() == 3
