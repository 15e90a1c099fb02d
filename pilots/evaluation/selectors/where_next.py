"""Pilots of a domain ranked by their evidence, and where a pilot that works could go next."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, OuterRef, Subquery
from django.db.models.functions import ExtractHour

from pilots.evaluation.models import Scorecard
from pilots.evaluation.plan import Kind, parse_indicators
from pilots.evaluation.selectors.plans import plan_of
from pilots.models import Pilot
from portal.models import District
from sensors.models import Device, HourRollup


def domain_ranking(domain: str) -> list[tuple[Pilot, Scorecard]]:
    """Pilots of one domain with a scorecard, best score first, by their newest scorecard."""
    newest = Scorecard.objects.filter(pilot=OuterRef("pk")).order_by("-computed_at", "-pk")
    pilots = (
        Pilot.objects.filter(domain=domain)
        .annotate(latest_id=Subquery(newest.values("pk")[:1]))
        .filter(latest_id__isnull=False)
    )
    found = list(pilots)
    cards = Scorecard.objects.in_bulk([pilot.latest_id for pilot in found])
    ranked: list[tuple[Pilot, Scorecard]] = [(pilot, cards[pilot.latest_id]) for pilot in found]
    ranked.sort(key=lambda pair: (-pair[1].score, pair[0].title))
    return ranked


@dataclass(frozen=True)
class DistrictSuggestion:
    district: District
    similarity: float  # 0 to 1
    level_difference: float  # relative to the level where the pilot worked
    profile_correlation: float  # of the 24-hour daily profiles, -1 to 1


PROFILE_DAYS = 90


def _profiles(metrics: list[str], since: dt.datetime) -> dict[tuple[int, str], list[float | None]]:
    """Each district's mean daily profile (24 hourly means) of each metric, from public devices."""
    rows = (
        HourRollup.objects.filter(
            metric__code__in=metrics,
            bucket__gte=since,
            device__visibility=Device.Visibility.PUBLIC,
        )
        .annotate(hour=ExtractHour("bucket"))
        .values_list("device__district_id", "metric__code", "hour")
        .annotate(level=Avg("mean"))
        .order_by()
    )
    profiles: dict[tuple[int, str], list[float | None]] = defaultdict(lambda: [None] * 24)
    for district_id, metric, hour, level in rows:
        profiles[district_id, metric][hour] = level
    return profiles


def _correlation(a: list[float], b: list[float]) -> float:
    mean_a, mean_b = math.fsum(a) / len(a), math.fsum(b) / len(b)
    cov = math.fsum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    spread = math.sqrt(
        math.fsum((x - mean_a) ** 2 for x in a) * math.fsum((y - mean_b) ** 2 for y in b)
    )
    return cov / spread if spread > 0 else 0.0


def where_next(pilot: Pilot, *, now: dt.datetime, limit: int = 5) -> list[DistrictSuggestion]:
    """Districts the pilot could go to next, most similar first to those where it worked.

    Similarity compares, for each metric the plan measures, the level and the daily profile of
    the last 90 days: 1 - |level difference| (at least 0) times (1 + correlation) / 2, averaged
    over the metrics.
    """
    plan = plan_of(pilot)
    if plan is None:
        return []
    try:
        specs = parse_indicators(plan.indicators)
    except ValidationError:
        # A plan saved before a rule tightened gives no suggestion rather than an error.
        return []
    metrics = sorted({spec.metric for spec in specs if spec.kind == Kind.SENSOR_EFFECT})
    if not metrics:
        return []
    home = set(pilot.districts.values_list("pk", flat=True))
    profiles = _profiles(metrics, now - dt.timedelta(days=PROFILE_DAYS))
    suggestions: list[DistrictSuggestion] = []
    for district in District.objects.exclude(pk__in=home).order_by("name_en"):
        scores: list[tuple[float, float, float]] = []
        for metric in metrics:
            theirs = profiles.get((district.pk, metric))
            ours_by_district = [profiles[d, metric] for d in home if (d, metric) in profiles]
            if theirs is None or not ours_by_district:
                continue
            ours = [
                _mean_or_none([profile[hour] for profile in ours_by_district]) for hour in range(24)
            ]
            hours = [h for h in range(24) if ours[h] is not None and theirs[h] is not None]
            if len(hours) < 6:
                continue
            a = [float(ours[h]) for h in hours]  # type: ignore[arg-type]
            b = [float(theirs[h]) for h in hours]  # type: ignore[arg-type]
            level_a, level_b = math.fsum(a) / len(a), math.fsum(b) / len(b)
            difference = (level_b - level_a) / abs(level_a) if level_a else 0.0
            correlation = _correlation(a, b)
            similarity = max(0.0, 1.0 - abs(difference)) * (1.0 + correlation) / 2.0
            scores.append((similarity, difference, correlation))
        if scores:
            suggestions.append(
                DistrictSuggestion(
                    district=district,
                    similarity=math.fsum(s[0] for s in scores) / len(scores),
                    level_difference=math.fsum(s[1] for s in scores) / len(scores),
                    profile_correlation=math.fsum(s[2] for s in scores) / len(scores),
                )
            )
    suggestions.sort(key=lambda s: -s.similarity)
    return suggestions[:limit]


def _mean_or_none(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return math.fsum(present) / len(present) if present else None
