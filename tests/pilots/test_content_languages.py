"""What managers write for residents exists in Korean and English, and pages say which they show."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pilots import selectors, services
from pilots.models import ConsentVersion, Pilot, Survey, SurveyAnswer, SurveyQuestion
from portal import languages
from portal.languages import texts_by_language
from portal.models import User
from tests.pilots.factories import PilotFactory, consent, join

pytestmark = pytest.mark.django_db


def ko_en(field: str, korean: str, english: str = "") -> dict[str, str]:
    """A translated field's columns, for creating rows with both texts."""
    return {f"{field}_ko": korean, f"{field}_en": english}


def bilingual_pilot() -> Pilot:
    return PilotFactory.create(
        slug="night-crossing",
        **ko_en("title", "스마트 횡단보도", "Smart crosswalks"),
        **ko_en(
            "summary",
            "밤에 보행자를 감지하는 횡단보도입니다.",
            "Crosswalks that see pedestrians at night.",
        ),
        **ko_en("goal", "야간 사고를 줄입니다.", "Fewer accidents at night."),
        **ko_en("partner", "서울디지털재단", "Seoul Digital Foundation"),
    )


def page(client: Client, pilot: Pilot, language: str) -> str:
    return client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_pilot_page_shows_the_english_content_in_english(client: Client) -> None:
    html = page(client, bilingual_pilot(), "en")

    assert "<h1>Smart crosswalks</h1>" in html
    assert "Crosswalks that see pedestrians at night." in html
    assert "Fewer accidents at night." in html
    assert "Seoul Digital Foundation" in html
    assert "Gangnam-gu" in html
    assert "스마트 횡단보도" not in html
    assert "lang-note" not in html


def test_the_pilot_page_shows_the_korean_content_in_korean(client: Client) -> None:
    html = page(client, bilingual_pilot(), "ko")

    assert "<h1>스마트 횡단보도</h1>" in html
    assert "밤에 보행자를 감지하는 횡단보도입니다." in html
    assert "야간 사고를 줄입니다." in html
    assert "서울디지털재단" in html
    assert "강남구" in html
    assert "Smart crosswalks" not in html
    assert "lang-note" not in html


def test_a_missing_english_title_shows_the_korean_one_marked_as_korean(client: Client) -> None:
    pilot = bilingual_pilot()
    Pilot.objects.filter(pk=pilot.pk).update(title_en="")

    html = page(client, pilot, "en")

    assert (
        '<h1><span lang="ko">스마트 횡단보도</span> '
        '<small class="lang-note" lang="en">(in Korean)</small></h1>'
    ) in html
    # What is written in English stays unmarked.
    assert '<p class="lead">Crosswalks that see pedestrians at night.</p>' in html


def test_a_missing_korean_summary_shows_the_english_one_marked_on_the_korean_page(
    client: Client,
) -> None:
    pilot = bilingual_pilot()
    Pilot.objects.filter(pk=pilot.pk).update(summary_ko="")

    html = page(client, pilot, "ko")

    with translation.override("ko"):
        note = languages.fallback_note("en")
    assert '<span lang="en">Crosswalks that see pedestrians at night.</span>' in html
    assert f'<small class="lang-note" lang="ko">{note}</small>' in html


def test_pilot_cards_mark_a_title_shown_in_the_other_language(client: Client) -> None:
    pilot = bilingual_pilot()
    Pilot.objects.filter(pk=pilot.pk).update(title_en="")

    html = client.get(reverse("pilots:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert (
        f'<a href="{pilot.get_absolute_url()}"><span lang="ko">스마트 횡단보도</span> '
        '<small class="lang-note" lang="en">(in Korean)</small></a>'
    ) in html
    assert "Crosswalks that see pedestrians at night." in html


def test_a_search_finds_a_pilot_by_words_of_either_language() -> None:
    pilot = bilingual_pilot()

    for words in ["횡단보도", "crosswalks", "Digital Foundation"]:
        found = selectors.pilot_list(selectors.PilotFilters(text=words))
        assert list(found) == [pilot], words


def test_the_api_answers_in_the_language_asked_for(client: Client) -> None:
    pilot = bilingual_pilot()
    url = reverse("pilot-detail", args=[pilot.slug])

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").json()

    assert (english["title"], english["goal"]) == ("Smart crosswalks", "Fewer accidents at night.")
    assert (korean["title"], korean["partner"]) == ("스마트 횡단보도", "서울디지털재단")


def test_the_consent_text_falls_back_to_korean_with_its_language_marked(
    client: Client, resident: User
) -> None:
    pilot = bilingual_pilot()
    ConsentVersion.objects.create(
        pilot=pilot, number=1, **ko_en("text", "개인정보 수집에 동의합니다.")
    )
    client.force_login(resident)

    html = client.get(
        reverse("pilots:join", args=[pilot.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert (
        '<div class="consent-text" tabindex="0" lang="ko">개인정보 수집에 동의합니다.</div>' in html
    )
    assert '<small class="lang-note" lang="en">(in Korean)</small></h2>' in html


def test_a_new_consent_version_is_published_in_both_languages(manager: User) -> None:
    pilot = bilingual_pilot()
    pilot.managers.add(manager)

    version = services.consent_version_publish(
        pilot=pilot, text={"ko": "동의합니다.", "en": "I agree."}, by=manager
    )

    stored = ConsentVersion.objects.get(pk=version.pk)
    assert texts_by_language(stored, "text") == {"ko": "동의합니다.", "en": "I agree."}


def test_the_same_texts_again_are_no_new_consent_version(manager: User) -> None:
    pilot = bilingual_pilot()
    pilot.managers.add(manager)
    services.consent_version_publish(
        pilot=pilot, text={"ko": "동의합니다.", "en": "I agree."}, by=manager
    )

    with pytest.raises(ValidationError) as refused:
        services.consent_version_publish(
            pilot=pilot, text={"ko": "동의합니다.", "en": "I agree."}, by=manager
        )

    assert refused.value.code == "consent_unchanged"
    # Adding the English to a Korean-only text is a change worth a version.
    services.consent_version_publish(
        pilot=pilot, text={"ko": "동의합니다.", "en": "I agree, in English."}, by=manager
    )
    assert pilot.consent_versions.count() == 2


def choice_survey(pilot: Pilot) -> SurveyQuestion:
    created = Survey.objects.create(
        pilot=pilot, phase=pilot.phase, **ko_en("title", "첫 달 의견", "Your first month")
    )
    return SurveyQuestion.objects.create(
        survey=created,
        position=1,
        kind=SurveyQuestion.Kind.CHOICE,
        **ko_en("prompt", "언제 건너십니까?", "When do you cross?"),
        **ko_en("choices", "아침\n밤", "Morning\nNight"),
    )


def test_a_choice_answered_in_english_counts_with_the_same_choice_in_korean(
    resident: User, neighbour: User
) -> None:
    pilot = bilingual_pilot()
    question = choice_survey(pilot)
    consent(pilot)
    join(pilot, resident)
    join(pilot, neighbour)

    services.survey_submit(survey=question.survey, user=resident, answers={question.pk: "Night"})
    services.survey_submit(survey=question.survey, user=neighbour, answers={question.pk: "밤"})

    assert set(SurveyAnswer.objects.values_list("choice", flat=True)) == {"밤"}
    _respondents, (result,) = selectors.survey_results(question.survey)
    # Results are read in the reader's language (English in these tests).
    assert result.distribution == [("Morning", 0), ("Night", 2)]


def test_the_survey_page_offers_english_choices_and_marks_a_korean_only_question(
    client: Client, resident: User
) -> None:
    pilot = bilingual_pilot()
    question = choice_survey(pilot)
    SurveyQuestion.objects.create(
        survey=question.survey,
        position=2,
        kind=SurveyQuestion.Kind.TEXT,
        **ko_en("prompt", "더 할 말이 있나요?"),
    )
    consent(pilot)
    join(pilot, resident)
    client.force_login(resident)

    html = client.get(
        question.survey.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "<h1>Your first month</h1>" in html
    assert 'value="밤"' in html
    assert "Night</label>" in html
    # A free-text answer is named by a label of its own (the other questions by a legend).
    assert (
        '"><span lang="ko">더 할 말이 있나요?</span> '
        '<small class="lang-note" lang="en">(in Korean)</small>'
    ) in html


def test_english_choices_must_match_the_korean_ones_line_for_line(pilot: Pilot) -> None:
    question = choice_survey(pilot)
    setattr(question, "choices_en", "Morning\nNoon\nNight")  # noqa: B010 - a translation column.

    with pytest.raises(ValidationError) as refused:
        question.full_clean()

    assert list(refused.value.message_dict) == ["choices_en"]


def test_the_pilot_admin_has_each_text_in_both_languages_side_by_side(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)

    response = client.get(reverse("admin:pilots_pilot_change", args=[pilot.pk]))

    form = response.context["adminform"].form
    for field in ["title", "summary", "goal", "partner"]:
        assert {f"{field}_ko", f"{field}_en"} <= set(form.fields), field
        assert field not in form.fields
    # The Korean is required; the English may follow later.
    assert form.fields["title_ko"].required
    assert not form.fields["title_en"].required
    # One row holds both languages of a field: the admin names a row after the fields it holds.
    html = response.content.decode()
    for field in ["title", "summary", "goal", "partner"]:
        assert f"form-row field-{field}_ko field-{field}_en" in html, field
    assert html.index('name="title_ko"') < html.index('name="title_en"') < html.index('name="slug"')
    consent_form = response.context["inline_admin_formsets"][0].formset.empty_form
    assert {"text_ko", "text_en"} <= set(consent_form.fields)
    assert "form-row field-text_ko field-text_en" in html


def test_the_survey_admin_has_titles_questions_and_choices_in_both_languages(
    client: Client, pilot: Pilot, manager: User
) -> None:
    question = choice_survey(pilot)
    client.force_login(manager)

    response = client.get(reverse("admin:pilots_survey_change", args=[question.survey.pk]))

    form = response.context["adminform"].form
    assert {"title_ko", "title_en", "introduction_ko", "introduction_en"} <= set(form.fields)
    question_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert {"prompt_ko", "prompt_en", "choices_ko", "choices_en"} <= set(question_form.fields)
