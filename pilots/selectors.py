"""Reads of pilots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pilots.models import (
    ConsentVersion,
    EligibilityRule,
    Enrolment,
    PhaseChange,
    Pilot,
    PilotQuestion,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from portal.languages import icontains_in_any_language
from portal.models import District, User


@dataclass(frozen=True)
class PilotFilters:
    """What a citizen can narrow the pilot list by; empty fields do not filter."""

    district: str = ""
    domain: str = ""
    phase: str = ""
    text: str = ""


# Counts as subqueries, not aggregates over joins: those would multiply each pilot's devices by
# its enrolments and count every pilot before the page's twelve are chosen (40 ms instead of 1
# with a city's 500 pilots).


def _devices_counted() -> Subquery:
    """How many devices serve the pilot (devices belong to an app above this one)."""
    return Subquery(
        Pilot.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(counted=Count("devices"))
        .values("counted")
    )


def _enrolments_counted(status: str) -> Coalesce:
    """How many of the pilot's enrolments have `status`."""
    return Coalesce(
        Subquery(
            Enrolment.objects.filter(pilot=OuterRef("pk"), status=status)
            .order_by()
            .values("pilot")
            .annotate(counted=Count("pk"))
            .values("counted")
        ),
        0,
    )


def pilot_list(filters: PilotFilters | None = None) -> QuerySet[Pilot]:
    # The listing order is spelled out for stable pages.
    pilots = (
        # Lists show districts' names, never their boundaries (a few kilobytes each to decode).
        Pilot.objects.prefetch_related(
            Prefetch("districts", queryset=District.objects.defer("boundary"))
        )
        .annotate(
            device_count=_devices_counted(),
            participant_count=_enrolments_counted(Enrolment.Status.PARTICIPATING),
            waiting_count=_enrolments_counted(Enrolment.Status.WAITING),
            has_consent=Exists(ConsentVersion.objects.filter(pilot=OuterRef("pk"))),
        )
        .order_by("-start_date", "title")
    )
    if filters is None:
        return pilots
    if filters.district:
        pilots = pilots.filter(districts__slug=filters.district)
    if filters.domain:
        pilots = pilots.filter(domain=filters.domain)
    if filters.phase:
        pilots = pilots.filter(phase=filters.phase)
    if filters.text:
        # In either language: a resident may search for a pilot not translated yet.
        pilots = pilots.filter(
            icontains_in_any_language("title", filters.text)
            | icontains_in_any_language("summary", filters.text)
            | icontains_in_any_language("partner", filters.text)
        )
    return pilots


def pilot_count() -> int:
    """How many pilots there are in every phase: what the unfiltered pilot list counts."""
    return Pilot.objects.count()


def pilot_detail(slug: str) -> Pilot:
    # The rules are read by the join box, the eligibility check and the age-limit question: once.
    # (The pilot's devices are not: sensors lists those the viewer may see on its own.)
    return Pilot.objects.prefetch_related("districts", "eligibility_rules").get(slug=slug)


def enrolment_counts(pilot: Pilot) -> tuple[int, int]:
    """How many take part in the pilot and how many wait, in one query."""
    counts = Enrolment.objects.filter(pilot=pilot).aggregate(
        participating=Count("pk", filter=Q(status=Enrolment.Status.PARTICIPATING)),
        waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITING)),
    )
    return counts["participating"], counts["waiting"]


def _current_consent_id(pilot_ref: Any) -> Subquery:
    return Subquery(
        ConsentVersion.objects.filter(pilot=pilot_ref).order_by("-number").values("pk")[:1]
    )


def pilot_has_age_limit(pilot: Pilot) -> bool:
    """Whether any of the pilot's rules needs the resident's birth date."""
    return any(
        rule.kind in EligibilityRule.KINDS_WITH_VALUE for rule in pilot.eligibility_rules.all()
    )


def current_consent(pilot: Pilot) -> ConsentVersion | None:
    """The consent text residents agree to now: the highest version."""
    return pilot.consent_versions.order_by("-number").first()


def participating(pilot: Pilot) -> QuerySet[Enrolment]:
    """Everyone holding a place, including those yet to agree to a new consent text."""
    return Enrolment.objects.filter(
        pilot=pilot, status=Enrolment.Status.PARTICIPATING
    ).select_related("user")


def active_enrolments() -> QuerySet[Enrolment]:
    """Enrolments of people taking part who agreed to their pilot's current consent text."""
    return Enrolment.objects.filter(
        status=Enrolment.Status.PARTICIPATING,
        consent_version=_current_consent_id(OuterRef("pilot")),
    )


def active_participants(pilot: Pilot) -> QuerySet[Enrolment]:
    return active_enrolments().filter(pilot=pilot).select_related("user")


def _current_consent_pk(enrolment: Enrolment) -> int | None:
    # Enrolments listed by the selectors below carry it as an annotation; others ask.
    if hasattr(enrolment, "current_consent_id"):
        return enrolment.current_consent_id  # type: ignore[no-any-return]
    current = current_consent(enrolment.pilot)
    return current.pk if current else None


def enrolment_is_active(enrolment: Enrolment) -> bool:
    if enrolment.status != Enrolment.Status.PARTICIPATING:
        return False
    current = _current_consent_pk(enrolment)
    return current is not None and enrolment.consent_version_id == current


def enrolment_needs_consent(enrolment: Enrolment) -> bool:
    """Whether the resident holds a place but has not agreed to the current consent text."""
    return enrolment.status != Enrolment.Status.WITHDRAWN and not (
        enrolment.consent_version_id
        and enrolment.consent_version_id == _current_consent_pk(enrolment)
    )


def enrolment_of(user: User | AnonymousUser, pilot: Pilot) -> Enrolment | None:
    """The user's enrolment in the pilot, withdrawn or not; None for a visitor or a stranger."""
    if not isinstance(user, User):
        return None
    return (
        Enrolment.objects.filter(user=user, pilot=pilot).select_related("consent_version").first()
    )


def _waiting_ahead() -> Subquery:
    """How many wait before the enrolment in its pilot's line, as an annotation."""
    return Subquery(
        Enrolment.objects.filter(pilot=OuterRef("pilot"), status=Enrolment.Status.WAITING)
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("pilot")
        .annotate(ahead=Count("pk"))
        .values("ahead")
    )


def waiting_position(enrolment: Enrolment) -> int | None:
    """1 for the first in line; None when not waiting."""
    if enrolment.status != Enrolment.Status.WAITING or enrolment.queued_at is None:
        return None
    if hasattr(enrolment, "waiting_ahead"):
        return (enrolment.waiting_ahead or 0) + 1
    ahead = Enrolment.objects.filter(
        pilot_id=enrolment.pilot_id, status=Enrolment.Status.WAITING
    ).filter(
        Q(queued_at__lt=enrolment.queued_at) | Q(queued_at=enrolment.queued_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


def enrolments_for_export(pilots: QuerySet[Pilot]) -> QuerySet[Enrolment]:
    """Everyone taking part in or waiting for the pilots, with what the managers' CSV shows."""
    return (
        Enrolment.objects.filter(pilot__in=pilots)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("pilot", "user", "consent_version")
        .annotate(current_consent_id=_current_consent_id(OuterRef("pilot")))
        .order_by("pilot__slug", "status", "queued_at", "pk")
    )


def public_timeline(pilot: Pilot) -> QuerySet[PhaseChange]:
    return pilot.phase_changes.filter(is_public=True).order_by("changed_at", "pk")


def published_questions(pilot: Pilot) -> QuerySet[PilotQuestion]:
    return pilot.questions.filter(is_published=True).order_by("-answered_at", "-asked_at")


def open_surveys(pilot: Pilot) -> QuerySet[Survey]:
    return (
        pilot.surveys.filter(phase=pilot.phase)
        .annotate(question_count=Count("questions"))
        .filter(question_count__gt=0)
    )


def survey_is_answered(survey: Survey) -> bool:
    """Whether anyone answered the survey; uses the admin's `responses_n` count when present."""
    if survey.pk is None:
        return False
    counted = getattr(survey, "responses_n", None)
    if counted is not None:
        return bool(counted)
    return survey.responses.exists()


# --- The resident's own ----------------------------------------------------------------------


def my_enrolments(user: User) -> QuerySet[Enrolment]:
    """The user's enrolments but withdrawn ones, with what is needed to show each's standing."""
    return (
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("pilot", "consent_version")
        .annotate(
            current_consent_id=_current_consent_id(OuterRef("pilot")),
            waiting_ahead=_waiting_ahead(),
        )
        .order_by("-joined_at", "-queued_at")
    )


def surveys_to_answer(user: User) -> QuerySet[Survey]:
    """Open surveys of the pilots the user actively takes part in, answered ones marked."""
    pilots = active_enrolments().filter(user=user).values("pilot")
    return (
        Survey.objects.filter(pilot__in=pilots, phase=F("pilot__phase"))
        .annotate(
            question_count=Count("questions", distinct=True),
            answered=Exists(SurveyResponse.objects.filter(survey=OuterRef("pk"), user=user)),
        )
        .filter(question_count__gt=0)
        .select_related("pilot")
        .order_by("answered", "-created_at")
    )


def my_response(survey: Survey, user: User) -> SurveyResponse | None:
    return (
        SurveyResponse.objects.filter(survey=survey, user=user)
        .prefetch_related("answers__question")
        .first()
    )


# --- Survey results --------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: SurveyQuestion
    count: int = 0
    mean: float | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def survey_results(survey: Survey) -> tuple[int, list[QuestionResult]]:
    """How many answered, and per question the count, mean, distribution or free texts.

    Counts and means are computed in SQL; free texts are listed newest first.
    """
    respondents = survey.responses.count()
    results = []
    for question in survey.questions.all():
        answers = SurveyAnswer.objects.filter(question=question)
        result = QuestionResult(question=question, count=answers.count())
        if question.kind == SurveyQuestion.Kind.RATING:
            result.mean = answers.aggregate(mean=Avg("rating"))["mean"]
            ratings: dict[int | None, int] = {
                row["rating"]: row["n"]
                for row in answers.order_by().values("rating").annotate(n=Count("pk"))
            }
            result.distribution = [(str(step), ratings.get(step, 0)) for step in question.scale]
        elif question.kind == SurveyQuestion.Kind.CHOICE:
            choices: dict[str, int] = {
                row["choice"]: row["n"]
                for row in answers.order_by().values("choice").annotate(n=Count("pk"))
            }
            result.distribution = [
                (shown, choices.get(stored, 0)) for stored, shown in question.choice_options
            ]
        else:
            result.texts = list(
                answers.order_by("-response__updated_at").values_list("text", flat=True)
            )
        results.append(result)
    return respondents, results
