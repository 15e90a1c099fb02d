"""Reviewers at work: declaring a conflict of interest and scoring on the call's rubric."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.spaces.errors import SpacesError
from portal.spaces.models import Application, ConflictOfInterest, Criterion, Score
from portal.spaces.permissions import REVIEWABLE, user_has_conflict, user_reviews_call


def _require_reviewer(user: User, application: Application) -> None:
    if not user_reviews_call(user, application.call):
        raise ValidationError(
            _("Only the call's reviewers can do that."), code=SpacesError.NOT_A_REVIEWER
        )


@transaction.atomic
def conflict_declare(
    *, application: Application, reviewer: User, reason: str
) -> ConflictOfInterest:
    """From now on the reviewer can neither see nor score the application; their scores go."""
    _require_reviewer(reviewer, application)
    if not reason.strip():
        raise ValidationError(_("Say what the conflict is."), code=SpacesError.CONFLICT_OF_INTEREST)
    conflict, _created = ConflictOfInterest.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"reason": reason.strip()}
    )
    Score.objects.filter(application=application, reviewer=reviewer).delete()
    return conflict


@transaction.atomic
def score_record(
    *, application: Application, criterion: Criterion, reviewer: User, score: int, comment: str = ""
) -> Score:
    """Score one criterion (0 to Criterion.MAX_SCORE), replacing the reviewer's earlier score."""
    _require_reviewer(reviewer, application)
    if user_has_conflict(reviewer, application):
        raise ValidationError(
            _("You declared a conflict of interest with this application."),
            code=SpacesError.CONFLICT_OF_INTEREST,
        )
    if application.status not in REVIEWABLE:
        raise ValidationError(
            _("Only submitted applications are reviewed."), code=SpacesError.NOT_UNDER_REVIEW
        )
    if criterion.call_id != application.call_id:
        raise ValidationError(
            _("This criterion belongs to another call."), code=SpacesError.CRITERION_OF_OTHER_CALL
        )
    if not 0 <= score <= Criterion.MAX_SCORE:
        raise ValidationError(
            _("Scores go from 0 to %(max)s.") % {"max": Criterion.MAX_SCORE},
            code=SpacesError.SCORE_OUT_OF_RANGE,
        )
    recorded, _created = Score.objects.update_or_create(
        application=application,
        criterion=criterion,
        reviewer=reviewer,
        defaults={"score": score, "comment": comment.strip()},
    )
    return recorded


@transaction.atomic
def review_record(
    *, application: Application, reviewer: User, marks: Mapping[Criterion, tuple[int, str]]
) -> list[Score]:
    """Record a reviewer's whole review at once: a score and a comment for every criterion.

    `marks` holds each criterion of the application's call; a review that leaves one out is
    refused, and nothing is saved unless every score is.
    """
    expected = set(application.call.criteria.values_list("pk", flat=True))
    if {criterion.pk for criterion in marks} != expected:
        raise ValidationError(
            _("Score every criterion of the rubric."), code=SpacesError.REVIEW_INCOMPLETE
        )
    return [
        score_record(
            application=application,
            criterion=criterion,
            reviewer=reviewer,
            score=score,
            comment=comment,
        )
        for criterion, (score, comment) in marks.items()
    ]
