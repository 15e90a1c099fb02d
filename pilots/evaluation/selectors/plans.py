"""Reads of plans, scorecards and decisions, and what the pilot page shows of them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pilots.evaluation.models import Decision, EvaluationPlan, PlanAmendment, Scorecard
from pilots.models import Pilot

# Pilots scored every night.
SCORED_PHASES = (Pilot.Phase.RUNNING, Pilot.Phase.EVALUATING)


def plan_of(pilot: Pilot) -> EvaluationPlan | None:
    """The pilot's plan; no query when the pilot was loaded with `select_related`."""
    try:
        return pilot.evaluation_plan
    except EvaluationPlan.DoesNotExist:
        return None


def plan_amendments(plan: EvaluationPlan) -> QuerySet[PlanAmendment]:
    return plan.amendments.select_related("made_by").order_by("version")


def pilots_to_score() -> QuerySet[Pilot]:
    """Running and evaluating pilots that have a plan to be scored against."""
    return (
        Pilot.objects.filter(phase__in=SCORED_PHASES, evaluation_plan__isnull=False)
        .select_related("evaluation_plan")
        .order_by("pk")
    )


def scorecards_of(pilot: Pilot) -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(pilot=pilot).order_by("-computed_at", "-pk")


def latest_scorecard(pilot: Pilot) -> Scorecard | None:
    return scorecards_of(pilot).first()


def decisions_of(pilot: Pilot) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(pilot=pilot)
        .select_related("decided_by", "scorecard")
        .prefetch_related("next_districts")
        .order_by("-decided_at", "-pk")
    )


def public_summary(pilot: Pilot) -> dict[str, Any]:
    """What the pilot page shows of its evaluation: plan, amendments, scorecards, decisions."""
    plan = plan_of(pilot)
    return {
        "plan": plan,
        "amendments": list(plan_amendments(plan)) if plan else [],
        "scorecard": latest_scorecard(pilot),
        "history": list(scorecards_of(pilot).only("computed_at", "recommendation", "score")[:10]),
        "decisions": list(decisions_of(pilot)[:5]),
    }
