"""`{% pilot_outcomes pilot %}`: the pilot's evidence in plain words, for the pilot page.

The pilot page belongs to an app below evaluation, so evaluation contributes this part of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language

from pilots.evaluation import selectors
from pilots.evaluation.labels import indicator_name
from pilots.evaluation.plan import Kind, parse_indicators
from pilots.models import Pilot
from portal.models import District
from sensors.models import Metric

register = template.Library()

CHART_WIDTH = 320
CHART_HEIGHT = 140
CHART_PAD = 6


def _x(days_from_start: float, span: float) -> float:
    return round(CHART_PAD + (CHART_WIDTH - 2 * CHART_PAD) * days_from_start / span, 1)


def _points(
    days: list[dt.date], values: list[float | None], low: float, high: float, span: float
) -> str:
    """SVG polyline points of a daily series, each day's mean at its midday; days without data
    are left out of the line."""
    spread = (high - low) or 1.0
    usable = CHART_HEIGHT - 2 * CHART_PAD
    return " ".join(
        f"{_x((day - days[0]).days + 0.5, span)},"
        f"{CHART_PAD + usable * (1 - (value - low) / spread):.1f}"
        for day, value in zip(days, values, strict=True)
        if value is not None
    )


def _period_start(series: dict[str, Any]) -> dt.datetime | None:
    """The local moment the period starts; a scorecard made before the time was kept has the
    date only."""
    try:
        if series.get("period_starts_at"):
            return dt.datetime.fromisoformat(series["period_starts_at"])
        return dt.datetime.combine(dt.date.fromisoformat(series["period_start"]), dt.time.min)
    except (KeyError, TypeError, ValueError):
        return None


def _chart(series: dict[str, Any], metric: Metric | None) -> dict[str, Any] | None:
    """An SVG chart of the daily means of pilot and control devices, the period shaded.

    The x axis is the calendar, from the first day's start to the last day's end, so that a
    day without data leaves its gap and the shading starts at the hour the period did.
    """
    days = [dt.date.fromisoformat(day) for day in series.get("days", [])]
    if len(days) < 2:
        return None
    values = [v for v in (*series["pilot"], *series["control"]) if v is not None]
    if not values:
        return None
    low, high = min(values), max(values)
    span = float((days[-1] - days[0]).days + 1)
    starts = _period_start(series)
    start_days = (
        (starts - dt.datetime.combine(days[0], dt.time.min)).total_seconds() / 86400.0
        if starts is not None
        else span
    )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pilot": _points(days, series["pilot"], low, high, span),
        "control": _points(days, series["control"], low, high, span),
        "split_x": _x(min(max(start_days, 0.0), span), span),
        "low": round(low, 1),
        "high": round(high, 1),
        "first_day": days[0].isoformat(),
        "last_day": days[-1].isoformat(),
        "whole_days": bool(series.get("whole_days")),
        "unit": metric.unit_label if metric else "",
    }


def _plan_rows(indicators: Any, metrics: dict[str, Metric]) -> list[dict[str, Any]]:
    """The plan's indicators in words: each one's name, weight and target, and for a sensor
    effect its windows (in the city's days) and what it compares."""
    try:
        specs = parse_indicators(indicators)
    except ValidationError:
        # A plan saved before a rule tightened is still shown, as it was written.
        return [
            {
                **{key: item.get(key) for key in ("code", "kind", "weight", "target", "better")},
                "label": indicator_name(
                    str(item.get("kind")), metrics.get(str(item.get("metric", "")))
                ),
            }
            for item in indicators
            if isinstance(item, dict)
        ]
    slugs = {slug for spec in specs for slug in spec.control_districts}
    districts = {d.slug: str(d) for d in District.objects.filter(slug__in=slugs)} if slugs else {}
    rows: list[dict[str, Any]] = []
    for spec in specs:
        row: dict[str, Any] = {
            "code": spec.code,
            "kind": spec.kind,
            "label": indicator_name(spec.kind, metrics.get(spec.metric)),
            "weight": spec.weight,
            "target": spec.target,
        }
        if spec.kind == Kind.SENSOR_EFFECT:
            baseline_start, baseline_end, period_start, period_end = spec.windows()
            row.update(
                better=spec.better,
                baseline_start=timezone.localtime(baseline_start).date(),
                baseline_end=timezone.localtime(baseline_end).date(),
                period_start=timezone.localtime(period_start).date(),
                period_end=timezone.localtime(period_end).date(),
                pilot_devices=len(spec.pilot_devices),
                control_devices=len(spec.control_devices),
                control_districts=", ".join(
                    districts.get(slug, slug) for slug in spec.control_districts
                ),
            )
        rows.append(row)
    return rows


def _label(indicator: dict[str, Any], metrics: dict[str, Metric]) -> str:
    metric = metrics.get(indicator.get("details", {}).get("metric", ""))
    return indicator_name(str(indicator["kind"]), metric)


@register.inclusion_tag("evaluation/includes/pilot_outcomes.html")
def pilot_outcomes(pilot: Pilot) -> dict[str, Any]:
    summary = selectors.public_summary(pilot)
    scorecard = summary["scorecard"]
    metric_codes: set[str] = set()
    plan = summary["plan"]
    for item in plan.indicators if plan else []:
        if isinstance(item, dict) and item.get("metric"):
            metric_codes.add(str(item["metric"]))
    metrics = {metric.code: metric for metric in Metric.objects.filter(code__in=metric_codes)}
    rows: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    if scorecard is not None:
        for indicator in scorecard.indicators:
            rows.append({**indicator, "label": _label(indicator, metrics)})
        for code, series in scorecard.series.items():
            chart = _chart(series, metrics.get(series.get("metric", "")))
            if chart:
                charts.append({"code": code, **chart})
    korean = (get_language() or "ko").startswith("ko")
    return {
        "pilot": pilot,
        **summary,
        "rows": rows,
        "charts": charts,
        "korean": korean,
        "plan_rows": _plan_rows(plan.indicators, metrics) if plan else [],
    }
