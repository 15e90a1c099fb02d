"""What a value means: Korea's air-quality bands, the scales of the other metrics, and the alerts.

One table (`BANDS`) says where each band of each metric begins; the live map colours values by
it, and the alert rules open where its "bad" and "very bad" bands begin, so the map turns bad
exactly where an alert opens. PM2.5 and PM10 follow the national forecast bands (좋음 / 보통 /
나쁨 / 매우나쁨: PM2.5 0-15, 16-35, 36-75, 76+; PM10 0-30, 31-80, 81-150, 151+) and temperature
the heat-wave warning (33 °C). The other metrics have no national band; their scales mark what
a resident would notice.

An alert rule compares the newest reading with the lowest value of its band, *at or above*.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sensors.models import Alert


@dataclass(frozen=True)
class Band:
    level: str
    label: str | Promise
    # The highest whole value in the band, as the national tables write it; None for the
    # open-ended last band. A value belongs to the first band whose `upto + 1` it is below.
    upto: float | None
    # The alert that opens when the newest reading reaches this band.
    alert: tuple[Alert.Rule, Alert.Level] | None = None


GOOD, MODERATE = gettext_lazy("Good"), gettext_lazy("Moderate")
BAD, VERY_BAD = gettext_lazy("Bad"), gettext_lazy("Very bad")
COMFORTABLE = gettext_lazy("Comfortable")

# Bands per metric code, lowest values first; levels are good, moderate, bad, very_bad (and cold).
BANDS: dict[str, tuple[Band, ...]] = {
    "pm25": (
        Band("good", GOOD, 15),
        Band("moderate", MODERATE, 35),
        Band("bad", BAD, 75, alert=(Alert.Rule.PM25_BAD, Alert.Level.WARNING)),
        Band("very_bad", VERY_BAD, None, alert=(Alert.Rule.PM25_VERY_BAD, Alert.Level.CRITICAL)),
    ),
    "pm10": (
        Band("good", GOOD, 30),
        Band("moderate", MODERATE, 80),
        Band("bad", BAD, 150, alert=(Alert.Rule.PM10_BAD, Alert.Level.WARNING)),
        Band("very_bad", VERY_BAD, None, alert=(Alert.Rule.PM10_VERY_BAD, Alert.Level.CRITICAL)),
    ),
    "temperature": (
        Band("cold", gettext_lazy("Freezing"), 0),
        Band("good", COMFORTABLE, 26),
        Band("bad", gettext_lazy("Hot"), 32),
        Band(
            "very_bad",
            gettext_lazy("Heat wave"),
            None,
            alert=(Alert.Rule.HEAT_WAVE, Alert.Level.WARNING),
        ),
    ),
    "humidity": (
        Band("moderate", gettext_lazy("Dry"), 30),
        Band("good", COMFORTABLE, 60),
        Band("moderate", gettext_lazy("Humid"), 80),
        Band("bad", gettext_lazy("Very humid"), None),
    ),
    # Korea's daytime standard for residential roadsides is 65 dB(A).
    "noise": (
        Band("good", gettext_lazy("Quiet"), 55),
        Band("moderate", MODERATE, 65),
        Band("bad", gettext_lazy("Loud"), 75),
        Band("very_bad", gettext_lazy("Very loud"), None),
    ),
    # Korea's indoor standard for carbon dioxide is 1,000 ppm.
    "co2": (
        Band("good", GOOD, 1000),
        Band("moderate", MODERATE, 2000),
        Band("bad", BAD, 5000),
        Band("very_bad", VERY_BAD, None),
    ),
    "battery_soc": (
        Band("very_bad", gettext_lazy("Nearly empty"), 10),
        Band("bad", gettext_lazy("Low"), 20),
        Band("moderate", gettext_lazy("Half"), 50),
        Band("good", gettext_lazy("Charged"), None),
    ),
}


@dataclass(frozen=True)
class AlertRule:
    rule: Alert.Rule
    metric: str
    threshold: float
    level: Alert.Level


def _alert_rules() -> list[AlertRule]:
    rules = []
    for metric, bands in BANDS.items():
        for below, band in pairwise(bands):
            if band.alert is not None and below.upto is not None:
                rule, level = band.alert
                rules.append(AlertRule(rule, metric, below.upto + 1, level))
    return rules


# The rules that readings open and close; a silent device is the one rule without a metric.
ALERT_RULES: list[AlertRule] = _alert_rules()


def alert_text(rule: AlertRule, *, value: float | str, unit: str) -> str:
    """The sentence of an alert, in the current language; `value` may be a placeholder."""
    return _("%(rule)s: %(value)s %(unit)s, at or above %(threshold)s %(unit)s.") % {
        "rule": Alert.Rule(rule.rule).label,
        "value": round(value, 1) if isinstance(value, float | int) else value,
        "unit": unit,
        "threshold": _whole(rule.threshold),
    }


def _whole(number: float) -> float | int:
    return int(number) if float(number).is_integer() else number


def band_for(metric: str, value: float) -> Band | None:
    """The band of `metric` (a code) that `value` falls in; None for a metric without bands.

    As on the live map: a value belongs to the first band whose `upto + 1` it is below, so
    35.5 µg/m³ of PM2.5 is still moderate and the colour turns where the alert opens.
    """
    bands = BANDS.get(metric)
    if not bands:
        return None
    for band in bands:
        if band.upto is None or value < band.upto + 1:
            return band
    return bands[-1]


class BandData(TypedDict):
    upto: float | None
    level: str
    label: str


def metric_bands() -> dict[str, list[BandData]]:
    """Bands per metric code as the live pages read them, labelled in the current language."""
    return {
        code: [{"upto": band.upto, "level": band.level, "label": str(band.label)} for band in bands]
        for code, bands in BANDS.items()
    }


def metric_catalogue(metrics: Any) -> list[dict[str, Any]]:
    """Metrics as the live pages need them: code, name in the current language, unit, bands."""
    bands = metric_bands()
    return [
        {
            "code": metric.code,
            "name": metric.name,
            "unit": metric.unit_label,
            "bands": bands.get(metric.code, []),
        }
        for metric in metrics
    ]
