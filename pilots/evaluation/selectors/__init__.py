"""Reads for evaluation: plans, the aggregates scoring needs (all in SQL), scorecards, rankings."""

from __future__ import annotations

from pilots.evaluation.selectors.inputs import (
    metric_ids,
    metrics_by_code,
    participant_count,
    participation_counts,
    report_counts,
    satisfaction_moments,
    sensor_devices,
)
from pilots.evaluation.selectors.plans import (
    SCORED_PHASES,
    decisions_of,
    latest_scorecard,
    pilots_to_score,
    plan_amendments,
    plan_of,
    public_summary,
    scorecards_of,
)
from pilots.evaluation.selectors.where_next import (
    PROFILE_DAYS,
    DistrictSuggestion,
    domain_ranking,
    where_next,
)

__all__ = [
    "PROFILE_DAYS",
    "SCORED_PHASES",
    "DistrictSuggestion",
    "decisions_of",
    "domain_ranking",
    "latest_scorecard",
    "metric_ids",
    "metrics_by_code",
    "participant_count",
    "participation_counts",
    "pilots_to_score",
    "plan_amendments",
    "plan_of",
    "public_summary",
    "report_counts",
    "satisfaction_moments",
    "scorecards_of",
    "sensor_devices",
    "where_next",
]
