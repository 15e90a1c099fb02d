"""What every indicator's assessment shares: the rules of enough data, and the result's shape."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# What it takes to judge a sensor effect: devices in each group with enough of their hours
# observed in both windows, and days of data in each window.
MIN_DEVICES_PER_GROUP = 3
MIN_DAYS_PER_WINDOW = 7
# A device counts when it reported in at least this share of a window's hours (so far).
MIN_DEVICE_COVERAGE = 0.4
# Answers, and people who joined, before a mean or a share is worth judging.
MIN_ANSWERS = 10
MIN_PARTICIPANTS = 10
Z95 = 1.959963984540054

BASELINE = "b"
PERIOD = "p"
PILOT = "p"
CONTROL = "c"


class Status:
    MET = "met"
    NOT_MET = "not_met"
    UNCERTAIN = "uncertain"
    NO_DATA = "not_enough_data"


@dataclass
class IndicatorResult:
    code: str
    kind: str
    weight: float
    target: float
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    relative_estimate: float | None = None
    relative_ci_low: float | None = None
    relative_ci_high: float | None = None
    target_met: bool = False
    enough_data: bool = False
    status: str = Status.NO_DATA
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        # Fields and details are plain numbers and strings: a shallow copy does, and is much
        # cheaper than the deep copy of `asdict` when every pilot of the city is scored.
        return {
            **{item.name: getattr(self, item.name) for item in fields(self)},
            "details": {**self.details},
        }
