"""Satisfaction, participation, reports and cost: from counts in SQL to a judged estimate."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pilots.evaluation import stats
from pilots.evaluation.plan import IndicatorSpec
from pilots.evaluation.scoring.results import (
    MIN_ANSWERS,
    MIN_PARTICIPANTS,
    Z95,
    IndicatorResult,
    Status,
)


def assess_satisfaction(
    spec: IndicatorSpec, *, count: int, mean: float | None, mean_square: float | None
) -> IndicatorResult:
    """The mean rating of a survey question, from the count, mean and mean square of answers."""
    result = IndicatorResult(code=spec.code, kind=spec.kind, weight=spec.weight, target=spec.target)
    result.details = {"answers": count, "min_answers": MIN_ANSWERS, "question": spec.question}
    if count == 0 or mean is None or mean_square is None:
        return result
    result.estimate = mean
    if count >= 2:
        variance = max(mean_square - mean * mean, 0.0) * count / (count - 1)
        half = stats.t_quantile(0.975, count - 1) * math.sqrt(variance / count)
        result.ci_low, result.ci_high = mean - half, mean + half
    result.enough_data = count >= MIN_ANSWERS
    _judge_point(result, met=mean >= spec.target)
    return result


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    share = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (share + Z95**2 / (2 * trials)) / denominator
    half = Z95 * math.sqrt(share * (1 - share) / trials + Z95**2 / (4 * trials**2)) / denominator
    return max(centre - half, 0.0), min(centre + half, 1.0)


def assess_participation(
    spec: IndicatorSpec, *, joined: int, staying: int, capacity: int | None
) -> IndicatorResult:
    """The share of those who joined who are still taking part, and how full the pilot is."""
    result = IndicatorResult(code=spec.code, kind=spec.kind, weight=spec.weight, target=spec.target)
    result.details = {
        "joined": joined,
        "participating": staying,
        "capacity": capacity,
        "fill_rate": staying / capacity if capacity else None,
        "min_participants": MIN_PARTICIPANTS,
    }
    if joined == 0:
        return result
    result.estimate = staying / joined
    result.ci_low, result.ci_high = _wilson(staying, joined)
    result.enough_data = joined >= MIN_PARTICIPANTS
    _judge_point(result, met=result.estimate >= spec.target)
    return result


def assess_reports(
    spec: IndicatorSpec, *, reports: int, participants: int, close_hours: Sequence[float]
) -> IndicatorResult:
    """Reports linked to the pilot per participant (with a Poisson score interval)."""
    result = IndicatorResult(code=spec.code, kind=spec.kind, weight=spec.weight, target=spec.target)
    result.details = {
        "reports": reports,
        "participants": participants,
        "closed": len(close_hours),
        "median_hours_to_close": stats.median(close_hours) if close_hours else None,
        "min_participants": MIN_PARTICIPANTS,
    }
    if participants == 0:
        return result
    result.estimate = reports / participants
    spread = Z95 * math.sqrt(reports + Z95**2 / 4)
    result.ci_low = max(reports + Z95**2 / 2 - spread, 0.0) / participants
    result.ci_high = (reports + Z95**2 / 2 + spread) / participants
    result.enough_data = participants >= MIN_PARTICIPANTS
    _judge_point(result, met=result.estimate <= spec.target)
    return result


def assess_cost(
    spec: IndicatorSpec, *, participants: int, effect: IndicatorResult | None
) -> IndicatorResult:
    """The budget per participant, and per unit of the named sensor effect when it is clear."""
    result = IndicatorResult(code=spec.code, kind=spec.kind, weight=spec.weight, target=spec.target)
    budget = spec.budget or 0.0
    per_effect = None
    if effect is not None and effect.estimate and effect.status == Status.MET:
        per_effect = budget / abs(effect.estimate)
    result.details = {
        "budget": budget,
        "participants": participants,
        "per_unit_of_effect": per_effect,
        "effect": spec.effect or None,
    }
    if participants == 0:
        return result
    result.estimate = budget / participants
    result.enough_data = participants >= 1
    _judge_point(result, met=result.estimate <= spec.target)
    return result


def _judge_point(result: IndicatorResult, *, met: bool) -> None:
    if not result.enough_data:
        result.status = Status.NO_DATA
        return
    result.target_met = met
    result.status = Status.MET if met else Status.NOT_MET
