"""Changes to evaluations: registering and amending plans, scoring pilots, recording decisions.

Each function is the one way its change happens, whether it comes from the admin, the API, the
nightly task or the command.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots import services as pilot_services
from pilots.evaluation import scoring, selectors
from pilots.evaluation.errors import EvaluationErrorCode
from pilots.evaluation.labels import indicator_names
from pilots.evaluation.models import Decision, EvaluationPlan, PlanAmendment, Scorecard
from pilots.evaluation.permissions import user_manages_evaluation
from pilots.evaluation.plan import IndicatorSpec, Kind, parse_indicators
from pilots.models import Pilot, SurveyQuestion
from portal.cache import Scope, cache_version_bump
from portal.models import District, User
from sensors.models import Device, Metric

logger = logging.getLogger(__name__)

# Before it runs, a pilot's plan may be rewritten; from then on only amended, with a reason.
OPEN_PLAN_PHASES = frozenset({Pilot.Phase.PROPOSED, Pilot.Phase.RECRUITING})


def plan_is_locked(pilot: Pilot) -> bool:
    return pilot.phase not in OPEN_PLAN_PHASES


def _check_references(pilot: Pilot, specs: list[IndicatorSpec]) -> None:
    """The metrics, devices, districts and questions a plan names must exist (and be its own)."""
    metrics = {spec.metric for spec in specs if spec.kind == Kind.SENSOR_EFFECT}
    known = set(Metric.objects.filter(code__in=metrics).values_list("code", flat=True))
    if metrics - known:
        raise ValidationError(
            _("Unknown metric: %(codes)s.") % {"codes": ", ".join(sorted(metrics - known))},
            code=EvaluationErrorCode.PLAN_INVALID,
        )
    device_ids = {
        device for spec in specs for device in (*spec.pilot_devices, *spec.control_devices)
    }
    found = set(Device.objects.filter(pk__in=device_ids).values_list("pk", flat=True))
    if device_ids - found:
        raise ValidationError(
            _("Unknown device ids: %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(device_ids - found))},
            code=EvaluationErrorCode.PLAN_INVALID,
        )
    slugs = {slug for spec in specs for slug in spec.control_districts}
    known_slugs = set(District.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if slugs - known_slugs:
        raise ValidationError(
            _("Unknown districts: %(slugs)s.") % {"slugs": ", ".join(sorted(slugs - known_slugs))},
            code=EvaluationErrorCode.PLAN_INVALID,
        )
    questions = {
        spec.question
        for spec in specs
        if spec.kind == Kind.SATISFACTION and spec.question is not None
    }
    rating = set(
        SurveyQuestion.objects.filter(
            pk__in=questions, survey__pilot=pilot, kind=SurveyQuestion.Kind.RATING
        ).values_list("pk", flat=True)
    )
    if questions - rating:
        raise ValidationError(
            _("A satisfaction indicator must name a rating question of this pilot's surveys."),
            code=EvaluationErrorCode.PLAN_INVALID,
        )


def _check_amendment(
    plan: EvaluationPlan | None, indicators: Any, reason_ko: str, reason_en: str
) -> None:
    """The rules of a change to a locked plan: it gives a reason, and it changes something."""
    if not (reason_ko.strip() or reason_en.strip()):
        raise ValidationError(
            _("The pilot is running, so its registered plan can only be amended, with a reason."),
            code=EvaluationErrorCode.AMENDMENT_REASON_MISSING,
        )
    if plan is not None and plan.indicators == indicators:
        raise ValidationError(
            _("The amendment changes nothing in the plan."),
            code=EvaluationErrorCode.PLAN_UNCHANGED,
        )


def evaluation_plan_check(
    *, pilot: Pilot, indicators: Any, reason_ko: str = "", reason_en: str = ""
) -> None:
    """Raise the ValidationError that saving this plan would raise, and save nothing.

    For forms, which show each broken rule beside its field before anything is saved;
    `evaluation_plan_save` checks the same rules again, under its lock.
    """
    _check_references(pilot, parse_indicators(indicators))
    if plan_is_locked(pilot):
        plan = EvaluationPlan.objects.filter(pilot=pilot).first()
        _check_amendment(plan, indicators, reason_ko, reason_en)


@transaction.atomic
def evaluation_plan_save(
    *,
    pilot: Pilot,
    indicators: Any,
    by: User,
    reason_ko: str = "",
    reason_en: str = "",
) -> EvaluationPlan:
    """Register the pilot's plan, or amend it once the pilot runs.

    Before the pilot runs the plan is simply replaced. From running on, the change is kept as an
    amendment with its reason (in Korean, English or both), and the plan's version goes up.
    The caller must manage the pilot.
    """
    if not user_manages_evaluation(by, pilot):
        raise PermissionDenied(_("Only this pilot's managers can change its evaluation plan."))
    specs = parse_indicators(indicators)
    _check_references(pilot, specs)
    locked_pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    # The pilot's page shows its plan; the pages go when the change commits, whichever way.
    cache_version_bump(Scope.PILOTS)
    plan = EvaluationPlan.objects.filter(pilot=locked_pilot).first()
    if not plan_is_locked(locked_pilot):
        if plan is None:
            return EvaluationPlan.objects.create(
                pilot=locked_pilot, indicators=indicators, updated_by=by
            )
        plan.indicators = indicators
        plan.updated_by = by
        plan.save(update_fields=["indicators", "updated_by", "updated_at"])
        return plan
    _check_amendment(plan, indicators, reason_ko, reason_en)
    before: Any = plan.indicators if plan else []
    if plan is None:
        plan = EvaluationPlan.objects.create(
            pilot=locked_pilot, indicators=indicators, updated_by=by, version=1
        )
        version = 1
    else:
        plan.version += 1
        version = plan.version
        plan.indicators = indicators
        plan.updated_by = by
        plan.save(update_fields=["indicators", "updated_by", "updated_at", "version"])
    PlanAmendment.objects.create(
        plan=plan,
        version=version,
        reason_ko=reason_ko.strip(),
        reason_en=reason_en.strip(),
        indicators_before=before,
        indicators_after=indicators,
        made_by=by,
        made_at=timezone.now(),
    )
    logger.info("Evaluation plan of pilot %s amended to version %s", pilot.slug, version)
    return plan


def _assess(
    pilot: Pilot,
    specs: list[IndicatorSpec],
    now: dt.datetime,
    sensor_devices: dict[tuple[int, str], list[tuple[int, str, scoring.DeviceWindows]]],
) -> tuple[list[scoring.IndicatorResult], dict[str, Any]]:
    results: dict[str, scoring.IndicatorResult] = {}
    series: dict[str, Any] = {}
    participants: int | None = None
    for spec in specs:
        if spec.kind == Kind.SENSOR_EFFECT:
            devices = sensor_devices.get((pilot.pk, spec.code), [])
            results[spec.code], series[spec.code] = scoring.assess_devices(spec, devices, now=now)
        elif spec.kind == Kind.SATISFACTION and spec.question is not None:
            count, mean, mean_square = selectors.satisfaction_moments(
                pilot=pilot, question_id=spec.question
            )
            results[spec.code] = scoring.assess_satisfaction(
                spec, count=count, mean=mean, mean_square=mean_square
            )
        elif spec.kind == Kind.PARTICIPATION:
            joined, staying = selectors.participation_counts(pilot)
            results[spec.code] = scoring.assess_participation(
                spec, joined=joined, staying=staying, capacity=pilot.capacity
            )
        elif spec.kind == Kind.REPORTS:
            participants = (
                participants if participants is not None else (selectors.participant_count(pilot))
            )
            reports, close_hours = selectors.report_counts(pilot)
            results[spec.code] = scoring.assess_reports(
                spec, reports=reports, participants=participants, close_hours=close_hours
            )
    # Costs come last: they may be per unit of a sensor effect estimated above.
    for spec in specs:
        if spec.kind == Kind.COST:
            participants = (
                participants if participants is not None else (selectors.participant_count(pilot))
            )
            results[spec.code] = scoring.assess_cost(
                spec, participants=participants, effect=results.get(spec.effect)
            )
    return [results[spec.code] for spec in specs], series


def _scorecards(
    pilots: Iterable[Pilot], now: dt.datetime, metrics: dict[str, Metric]
) -> list[Scorecard | ValidationError]:
    """Each pilot's scorecard as of `now`, not yet saved, or the reason it cannot be scored.

    The sensor indicators of all the pilots are read together, in one set-wise aggregate over
    the rollups; the other indicators' small counts are read pilot by pilot.
    """
    planned: list[tuple[Pilot, EvaluationPlan, list[IndicatorSpec]] | ValidationError] = []
    for pilot in pilots:
        plan = selectors.plan_of(pilot)
        if plan is None:
            planned.append(
                ValidationError(
                    _("The pilot has no evaluation plan to score against."),
                    code=EvaluationErrorCode.NO_PLAN,
                )
            )
            continue
        try:
            planned.append((pilot, plan, parse_indicators(plan.indicators)))
        except ValidationError as error:
            planned.append(error)
    sensor_devices = selectors.sensor_devices(
        [
            (item[0], spec)
            for item in planned
            if not isinstance(item, ValidationError)
            for spec in item[2]
            if spec.kind == Kind.SENSOR_EFFECT
        ],
        now=now,
        metric_ids={code: metric.pk for code, metric in metrics.items()},
    )
    scorecards: list[Scorecard | ValidationError] = []
    for item in planned:
        if isinstance(item, ValidationError):
            scorecards.append(item)
            continue
        pilot, plan, specs = item
        results, series = _assess(pilot, specs, now, sensor_devices)
        verdict = scoring.recommend(results, indicator_names(specs, metrics))
        scorecards.append(
            Scorecard(
                pilot=pilot,
                plan_version=plan.version,
                computed_at=now,
                recommendation=verdict.recommendation,
                score=verdict.score,
                explanation_ko=verdict.explanation_ko,
                explanation_en=verdict.explanation_en,
                indicators=[result.as_json() for result in results],
                series=series,
            )
        )
    return scorecards


@transaction.atomic
def pilot_score(*, pilot: Pilot, now: dt.datetime | None = None) -> Scorecard:
    """Score the pilot against its plan now and keep the scorecard.

    Every aggregate is computed in SQL over the hourly rollups, answers, enrolments and reports;
    the pilot must have a plan.
    """
    [scorecard] = _scorecards([pilot], now or timezone.now(), selectors.metrics_by_code())
    if isinstance(scorecard, ValidationError):
        raise scorecard
    scorecard.save()
    cache_version_bump(Scope.PILOTS)
    logger.info("Scored pilot %s: %s", pilot.slug, scorecard.recommendation)
    return scorecard


# Pilots scored together: their sensor indicators are read in one set-wise aggregate, and their
# scorecards written with one INSERT and one commit.
SCORE_BATCH = 500


def pilots_score(*, pilots: Iterable[Pilot] | None = None, now: dt.datetime | None = None) -> int:
    """Score each pilot (by default every running or evaluating one with a plan).

    All scorecards of one run carry the same time. One pilot whose plan no longer validates is
    logged and skipped, not allowed to stop the rest.
    """
    now = now or timezone.now()
    metrics = selectors.metrics_by_code()
    chosen = list(pilots if pilots is not None else selectors.pilots_to_score())
    scored = 0
    for first in range(0, len(chosen), SCORE_BATCH):
        batch = chosen[first : first + SCORE_BATCH]
        ready: list[Scorecard] = []
        for pilot, scorecard in zip(batch, _scorecards(batch, now, metrics), strict=True):
            if isinstance(scorecard, ValidationError):
                logger.warning("Pilot %s not scored: %s", pilot.slug, "; ".join(scorecard.messages))
            else:
                ready.append(scorecard)
        with transaction.atomic():
            Scorecard.objects.bulk_create(ready)
            cache_version_bump(Scope.PILOTS)
        scored += len(ready)
    logger.info("Scored %s pilots", scored)
    return scored


# A decision's outcome and the phase it moves the pilot to.
DECISION_PHASES: dict[str, str] = {
    Decision.Outcome.SCALE_UP: Pilot.Phase.SCALED_UP,
    Decision.Outcome.EXTEND: Pilot.Phase.EXTENDED,
    Decision.Outcome.STOP: Pilot.Phase.STOPPED,
}


@transaction.atomic
def decision_record(
    *,
    pilot: Pilot,
    outcome: str,
    by: User,
    reason_ko: str = "",
    reason_en: str = "",
    next_districts: Iterable[District] = (),
    scorecard: Scorecard | None = None,
) -> Decision:
    """Record the manager's decision after evaluation and move the pilot to its phase.

    The phase moves through the pilots' own service, which logs it on the pilot's timeline and
    tells the participants. A scale-up names the districts it goes to next. The caller must
    manage the pilot.
    """
    if not user_manages_evaluation(by, pilot):
        raise PermissionDenied(_("Only this pilot's managers can decide its future."))
    if outcome not in DECISION_PHASES:
        raise ValidationError(
            _("Decide to scale up, extend or stop."),
            code=EvaluationErrorCode.DECISION_NOT_ALLOWED,
        )
    reason = reason_ko.strip() or reason_en.strip()
    if not reason:
        raise ValidationError(
            _("Say why you decide this."), code=EvaluationErrorCode.DECISION_REASON_MISSING
        )
    districts = list(next_districts)
    if outcome == Decision.Outcome.SCALE_UP and not districts:
        raise ValidationError(
            _("Name the districts the pilot is scaled up to."),
            code=EvaluationErrorCode.NEXT_DISTRICTS_MISSING,
        )
    if pilot.phase != Pilot.Phase.EVALUATING and outcome != Decision.Outcome.STOP:
        raise ValidationError(
            _("A pilot is scaled up or extended only after it has been evaluated."),
            code=EvaluationErrorCode.DECISION_NOT_ALLOWED,
        )
    scorecard = scorecard or selectors.latest_scorecard(pilot)
    change = pilot_services.pilot_change_phase(
        pilot=pilot,
        to_phase=DECISION_PHASES[outcome],
        by=by,
        reason=reason,
        public_note=reason,
    )
    decision = Decision.objects.create(
        pilot=pilot,
        scorecard=scorecard,
        outcome=outcome,
        reason_ko=reason_ko.strip(),
        reason_en=reason_en.strip(),
        decided_by=by,
        decided_at=timezone.now(),
        phase_change=change,
    )
    decision.next_districts.set(districts)
    logger.info("Decision on pilot %s: %s by user %s", pilot.slug, outcome, by.pk)
    return decision
