"""Residents' questions about a pilot, and its managers' published answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots.errors import PilotErrorCode
from pilots.models import Pilot, PilotQuestion
from pilots.services.common import manager_required
from portal.cache import Scope, cache_version_bump
from portal.models import User

MAX_QUESTION = 2000


@transaction.atomic
def pilot_question_ask(*, pilot: Pilot, user: User, text: str) -> PilotQuestion:
    """A resident's question; it shows on the pilot's page once a manager answers and publishes."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write your question first."), code=PilotErrorCode.QUESTION_EMPTY)
    if len(text) > MAX_QUESTION:
        raise ValidationError(
            _("Keep your question under 2000 characters."),
            code=PilotErrorCode.QUESTION_TOO_LONG,
        )
    return PilotQuestion.objects.create(pilot=pilot, author=user, text=text)


def pilot_question_answer_validate(*, answer: str, publish: bool) -> str:
    """The answer as it would be stored, or a ValidationError saying why it cannot be published.

    The admin's form calls this before saving so that the manager reads the reason on the page.
    """
    answer = answer.strip()
    if publish and not answer:
        raise ValidationError(
            _("Write an answer before publishing."), code=PilotErrorCode.ANSWER_EMPTY
        )
    return answer


@transaction.atomic
def pilot_question_answer(
    *, question: PilotQuestion, by: User, answer: str, publish: bool
) -> PilotQuestion:
    """Store a manager's answer to a resident's question, shown on the pilot's page if published.

    The caller must manage the question's pilot; an answer can only be published once written.
    """
    manager_required(by, question.pilot)
    answer = pilot_question_answer_validate(answer=answer, publish=publish)
    question.answer = answer
    question.is_published = publish
    if answer:
        question.answered_by = by
        question.answered_at = timezone.now()
    question.save()
    # Published answers show on the pilot's page (and an unpublished one leaves it).
    cache_version_bump(Scope.PILOTS)
    return question
