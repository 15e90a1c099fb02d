"""Surveys: announcing their opening, what their answers fix, and residents' answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors
from pilots.errors import PilotErrorCode
from pilots.models import Enrolment, Pilot, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from pilots.notices import PilotNotice
from pilots.services.common import manager_required, pilot_locked
from portal.languages import default_language_field
from portal.models import User
from portal.notifications.services import in_readers_language, notify

MAX_TEXT = 4000

# Once anyone answered a survey, these stay as they were. The answers belong to the participants
# of the survey's pilot, so the survey cannot move to another; and a question's answers were
# checked against, and are counted by, its kind, choices and scale, so changing those would leave
# answers out of the results. The wording of a question may still be mended, and questions added.
# Answers keep a choice as written in the default language (see SurveyQuestion.stored_choices), so
# that column is what is fixed; its translations may still be mended, line for line.
STORED_CHOICES = default_language_field("choices")
SURVEY_FIXED_ONCE_ANSWERED = ("pilot",)
QUESTION_FIXED_ONCE_ANSWERED = ("kind", STORED_CHOICES, "scale_min", "scale_max")


def survey_announce_if_open(*, survey: Survey, locked_pilot: Pilot) -> bool:
    """Tell active participants the survey is open, the first time it is.

    A survey is open while its pilot is in the survey's phase, once it has a question. The
    caller holds the lock of the survey's pilot, `locked_pilot`. Returns whether anyone was told.
    """
    if survey.phase != locked_pilot.phase or not survey.questions.exists():
        return False
    now = timezone.now()
    # Claimed by one update, so a second caller (another save, a phase move) finds it taken.
    if not Survey.objects.filter(pk=survey.pk, announced_at__isnull=True).update(announced_at=now):
        return False
    survey.announced_at = now
    notify(
        users=[enrolment.user for enrolment in selectors.active_participants(locked_pilot)],
        kind=PilotNotice.SURVEY_OPEN,
        about=locked_pilot,
        subject=gettext_lazy("New survey: %(survey)s"),
        body=gettext_lazy("%(pilot)s asks what you think: “%(survey)s” is open for your answers."),
        params={
            "pilot": in_readers_language(locked_pilot, "title"),
            "survey": in_readers_language(survey, "title"),
        },
        link=survey.get_absolute_url(),
    )
    return True


@transaction.atomic
def survey_announce(*, survey: Survey, by: User) -> bool:
    """Tell active participants that the survey is open, if it is and they were not told yet.

    Called after every save of a survey and its questions, since a survey may open by getting its
    first question or by being moved to the pilot's current phase; phase moves announce the
    surveys of the new phase themselves. Returns whether anyone was told now.
    """
    manager_required(by, survey.pilot)
    return survey_announce_if_open(survey=survey, locked_pilot=pilot_locked(survey.pilot))


def _as_answers_see_it(name: str, value: Any) -> Any:
    # Answers are checked against the list of choices, not the text that holds it: a browser
    # sends a text area's lines ended by CR LF, and blank lines or spaces around a choice count
    # for nothing.
    if name == STORED_CHOICES:
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]
    return value


def survey_question_validate(*, question: SurveyQuestion, values: Mapping[str, Any]) -> None:
    """Refuse, field by field, new `values` that would change what the answers depend on.

    `question` is the question as it is stored (a new one may be anything); `values` maps
    field names to their new values, as a form cleans them. Once the survey has an answer, the
    fields of QUESTION_FIXED_ONCE_ANSWERED keep their values. Forms call this before saving,
    so that the manager reads the reason next to the field.
    """
    if question.pk is None:
        return
    changed = [
        name
        for name in QUESTION_FIXED_ONCE_ANSWERED
        if name in values
        and _as_answers_see_it(name, values[name])
        != _as_answers_see_it(name, getattr(question, name))
    ]
    # Asked of the database, not of what the page knew when it was drawn: the first answer may
    # have come in since.
    if not changed or not SurveyResponse.objects.filter(survey_id=question.survey_id).exists():
        return
    raise ValidationError(
        {
            name: ValidationError(
                _("Fixed once the survey has answers, so the results keep every answer."),
                code=PilotErrorCode.FIXED_ONCE_ANSWERED,
            )
            for name in changed
        }
    )


def _clean_answer(question: SurveyQuestion, raw: Any) -> SurveyAnswer | None:
    """The answer to store, None when left empty; raises a message naming the question."""
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if blank:
        if question.required:
            raise ValidationError(
                _("Please answer this question."), code=PilotErrorCode.ANSWER_REQUIRED
            )
        return None
    answer = SurveyAnswer(question=question)
    if question.kind == SurveyQuestion.Kind.RATING:
        try:
            rating = int(str(raw).strip())
        except ValueError:
            raise ValidationError(
                _("Choose a number on the scale."), code=PilotErrorCode.ANSWER_INVALID
            ) from None
        if not question.scale_min <= rating <= question.scale_max:
            raise ValidationError(
                _("Choose a number from %(low)s to %(high)s.")
                % {"low": question.scale_min, "high": question.scale_max},
                code=PilotErrorCode.ANSWER_INVALID,
            )
        answer.rating = rating
    elif question.kind == SurveyQuestion.Kind.CHOICE:
        # Offered in the resident's language, kept in the one every answer is counted in.
        choice = question.stored_choice(str(raw).strip())
        if choice is None:
            raise ValidationError(
                _("Choose one of the offered answers."), code=PilotErrorCode.ANSWER_INVALID
            )
        answer.choice = choice
    else:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(
                _("Keep your answer under %(limit)s characters.") % {"limit": MAX_TEXT},
                code=PilotErrorCode.ANSWER_INVALID,
            )
        answer.text = text
    return answer


@transaction.atomic
def survey_submit(*, survey: Survey, user: User, answers: Mapping[int, Any]) -> SurveyResponse:
    """Store the user's answers, replacing any they gave before; only while the survey is open.

    `answers` maps question ids to the raw value (a number for ratings, the choice's text,
    free text). Every error is reported at once, keyed by question id.
    """
    pilot = survey.pilot
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."), code=PilotErrorCode.SURVEY_CLOSED)
    # The enrolment's row lock queues the resident's submissions behind each other and behind
    # their withdrawal, so answers cannot slip in after a withdrawal that deleted the feedback.
    enrolment = Enrolment.objects.select_for_update().filter(pilot=pilot, user=user).first()
    if enrolment is None or not selectors.enrolment_is_active(enrolment):
        raise ValidationError(
            _("Only active participants of this pilot can answer its surveys."),
            code=PilotErrorCode.NOT_PARTICIPANT,
        )
    questions = list(survey.questions.all())
    known = {question.pk for question in questions}
    unknown = set(answers) - known
    if unknown:
        raise ValidationError(
            _("These questions are not in this survey: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in sorted(unknown))},
            code=PilotErrorCode.UNKNOWN_QUESTION,
        )
    errors: dict[str, list[str]] = {}
    cleaned = []
    for question in questions:
        try:
            answer = _clean_answer(question, answers.get(question.pk))
        except ValidationError as error:
            errors[str(question.pk)] = error.messages
            continue
        if answer is not None:
            cleaned.append(answer)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # Should a response appear between the look-up and the insert all the same, get_or_create
    # meets the unique constraint and returns that response, which these answers then revise.
    response, created = SurveyResponse.objects.select_for_update().get_or_create(
        survey=survey, user=user, defaults={"submitted_at": now, "updated_at": now}
    )
    if not created:
        response.updated_at = now
        response.save(update_fields=["updated_at"])
        response.answers.all().delete()
    for answer in cleaned:
        answer.response = response
    SurveyAnswer.objects.bulk_create(cleaned)
    return response
