"""What people call an indicator: its kind and, for a sensor effect, the quantity measured.

Indicators have codes (`pm25`, `sat`) that managers choose for the plan; pages and
explanations name them in words instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from pilots.evaluation.plan import IndicatorSpec, Kind
from sensors.models import Metric


def indicator_name(kind: str, metric: Metric | None) -> str:
    """The indicator's name in the active language."""
    if kind == Kind.SENSOR_EFFECT:
        return _("Effect on %(metric)s") % {"metric": metric.name if metric else "?"}
    names: dict[str, str] = {
        Kind.SATISFACTION: _("Participants' satisfaction"),
        Kind.PARTICIPATION: _("Participants who stay"),
        Kind.REPORTS: _("Reports per participant"),
        Kind.COST: _("Cost per participant"),
    }
    return names.get(str(kind), str(kind))


def indicator_names(
    specs: Iterable[IndicatorSpec], metrics: dict[str, Metric]
) -> dict[str, tuple[str, str]]:
    """Each indicator's name in Korean and in English, by its code."""
    names: dict[str, tuple[str, str]] = {}
    for spec in specs:
        metric = metrics.get(spec.metric)
        with translation.override("ko"):
            korean = indicator_name(spec.kind, metric)
        with translation.override("en"):
            english = indicator_name(spec.kind, metric)
        names[spec.code] = (korean, english)
    return names


def labelled(indicators: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A scorecard's indicators, each with its `label` in the active language."""
    rows = list(indicators)
    codes = {str(row.get("details", {}).get("metric", "")) for row in rows} - {""}
    metrics = {metric.code: metric for metric in Metric.objects.filter(code__in=codes)}
    return [
        {
            **row,
            "label": indicator_name(
                str(row["kind"]), metrics.get(str(row.get("details", {}).get("metric", "")))
            ),
        }
        for row in rows
    ]
