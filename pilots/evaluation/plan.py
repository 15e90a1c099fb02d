"""The shape of an evaluation plan's indicators, checked and parsed into typed specifications.

A plan is a list of indicators, each a JSON object with `code`, `kind`, `weight` and `target`
and the fields of its kind:

- `sensor_effect`: `metric` (code), `better` (`lower` or `higher`), `pilot_devices` (device ids),
  `control_devices` (device ids) or `control_districts` (district slugs, whose public devices of
  the metric are the controls), `baseline_start`, `baseline_end`, `period_start`, `period_end`
  (ISO 8601). `target` is the effect as a fraction of the counterfactual mean (-0.10: at least
  10% lower than without the pilot).
- `satisfaction`: `question` (the id of a rating question of one of the pilot's surveys);
  `target` is the mean rating it must reach.
- `participation`: `target` is the share of those who joined who are still taking part.
- `reports`: `target` is the most reports linked to the pilot per participant.
- `cost`: `budget` (in won) and optionally `effect` (the code of a sensor indicator); `target` is
  the most the pilot may cost per participant.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext as _

from pilots.evaluation.errors import EvaluationErrorCode


class Kind:
    SENSOR_EFFECT = "sensor_effect"
    SATISFACTION = "satisfaction"
    PARTICIPATION = "participation"
    REPORTS = "reports"
    COST = "cost"
    ALL = (SENSOR_EFFECT, SATISFACTION, PARTICIPATION, REPORTS, COST)


CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_INDICATORS = 20


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    kind: str
    weight: float
    target: float
    # sensor_effect
    metric: str = ""
    better: str = "lower"
    pilot_devices: tuple[int, ...] = ()
    control_devices: tuple[int, ...] = ()
    control_districts: tuple[str, ...] = ()
    baseline_start: dt.datetime | None = None
    baseline_end: dt.datetime | None = None
    period_start: dt.datetime | None = None
    period_end: dt.datetime | None = None
    # satisfaction
    question: int | None = None
    # cost
    budget: float | None = None
    effect: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def windows(self) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
        """Baseline start and end, period start and end, of a sensor indicator."""
        if not (
            self.baseline_start and self.baseline_end and self.period_start and self.period_end
        ):
            raise ValueError(f"{self.code} is not a sensor indicator")
        return self.baseline_start, self.baseline_end, self.period_start, self.period_end


def _fail(index: int, message: str) -> ValidationError:
    return ValidationError(
        _("Indicator %(number)s: %(message)s") % {"number": index + 1, "message": message},
        code=EvaluationErrorCode.PLAN_INVALID,
    )


def _number(raw: dict[str, Any], name: str, index: int) -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(index, _("“%(field)s” must be a number.") % {"field": name})
    return float(value)


def _moment(raw: dict[str, Any], name: str, index: int) -> dt.datetime:
    value = raw.get(name)
    parsed: dt.datetime | None = None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time.min)
    if parsed is None:
        raise _fail(index, _("“%(field)s” must be an ISO 8601 date or time.") % {"field": name})
    return make_aware(parsed, get_current_timezone()) if is_naive(parsed) else parsed


def _ids(raw: dict[str, Any], name: str, index: int) -> tuple[int, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise _fail(index, _("“%(field)s” must be a list of device ids.") % {"field": name})
    return tuple(dict.fromkeys(value))


def _parse_one(raw: Any, index: int) -> IndicatorSpec:
    if not isinstance(raw, dict):
        raise _fail(index, _("each indicator must be an object."))
    code = raw.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise _fail(index, _("“code” must be a short lowercase name (letters, digits, _ and -)."))
    kind = raw.get("kind")
    if kind not in Kind.ALL:
        raise _fail(index, _("“kind” must be one of: %(kinds)s.") % {"kinds": ", ".join(Kind.ALL)})
    weight = _number(raw, "weight", index)
    if weight <= 0:
        raise _fail(index, _("“weight” must be above zero."))
    target = _number(raw, "target", index)
    spec: dict[str, Any] = {"code": code, "kind": kind, "weight": weight, "target": target}
    if kind == Kind.SENSOR_EFFECT:
        metric = raw.get("metric")
        if not isinstance(metric, str) or not metric:
            raise _fail(index, _("a sensor indicator needs the “metric” it measures."))
        better = raw.get("better")
        if better not in ("lower", "higher"):
            raise _fail(index, _("“better” must be “lower” or “higher”."))
        if (better == "lower" and target >= 0) or (better == "higher" and target <= 0):
            raise _fail(
                index,
                _(
                    "the target must point the way that is better "
                    "(below zero when lower is better)."
                ),
            )
        pilot_devices = _ids(raw, "pilot_devices", index)
        control_devices = _ids(raw, "control_devices", index)
        districts = raw.get("control_districts", [])
        if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
            raise _fail(index, _("“control_districts” must be a list of district slugs."))
        if not pilot_devices:
            raise _fail(index, _("list the pilot's devices in “pilot_devices”."))
        if not control_devices and not districts:
            raise _fail(index, _("name the controls: “control_devices” or “control_districts”."))
        if set(pilot_devices) & set(control_devices):
            raise _fail(index, _("a device cannot be both a pilot device and a control."))
        moments = {
            name: _moment(raw, name, index)
            for name in ("baseline_start", "baseline_end", "period_start", "period_end")
        }
        if not (
            moments["baseline_start"]
            < moments["baseline_end"]
            <= moments["period_start"]
            < moments["period_end"]
        ):
            raise _fail(
                index,
                _(
                    "the baseline must come before the pilot period, "
                    "and each must end after it starts."
                ),
            )
        spec.update(
            metric=metric,
            better=better,
            pilot_devices=pilot_devices,
            control_devices=control_devices,
            control_districts=tuple(dict.fromkeys(districts)),
            **moments,
        )
    elif kind == Kind.SATISFACTION:
        question = raw.get("question")
        if not isinstance(question, int) or isinstance(question, bool):
            raise _fail(index, _("a satisfaction indicator needs the id of its “question”."))
        spec["question"] = question
    elif kind == Kind.PARTICIPATION:
        if not 0 < target <= 1:
            raise _fail(
                index, _("the target share of participants who stay must be above 0 and at most 1.")
            )
    elif kind == Kind.REPORTS:
        if target < 0:
            raise _fail(
                index, _("the target number of reports per participant cannot be negative.")
            )
    elif kind == Kind.COST:
        budget = _number(raw, "budget", index)
        if budget < 0:
            raise _fail(index, _("the budget cannot be negative."))
        effect = raw.get("effect", "")
        if not isinstance(effect, str):
            raise _fail(index, _("“effect” must be the code of a sensor indicator."))
        spec.update(budget=budget, effect=effect)
    return IndicatorSpec(**spec)


def parse_indicators(raw: Any) -> list[IndicatorSpec]:
    """The plan's indicators, or a ValidationError saying what is wrong with the first bad one."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError(
            _("A plan is a non-empty list of indicators."), code=EvaluationErrorCode.PLAN_INVALID
        )
    if len(raw) > MAX_INDICATORS:
        raise ValidationError(
            _("A plan has at most %(count)s indicators.") % {"count": MAX_INDICATORS},
            code=EvaluationErrorCode.PLAN_INVALID,
        )
    specs = [_parse_one(item, index) for index, item in enumerate(raw)]
    codes = [spec.code for spec in specs]
    if len(set(codes)) != len(codes):
        raise ValidationError(
            _("Each indicator needs a code of its own."), code=EvaluationErrorCode.PLAN_INVALID
        )
    sensor_codes = {spec.code for spec in specs if spec.kind == Kind.SENSOR_EFFECT}
    for index, spec in enumerate(specs):
        if spec.kind == Kind.COST and spec.effect and spec.effect not in sensor_codes:
            raise _fail(index, _("“effect” must be the code of a sensor indicator of this plan."))
    return specs
