"""How the live map colours a value: Korea's air-quality bands, and plain scales for the rest.

PM2.5 and PM10 follow the national forecast bands (좋음 / 보통 / 나쁨 / 매우나쁨). The other
metrics have no national band; their scales mark what a resident would notice.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.translation import gettext as _


class Band(TypedDict):
    # The highest whole value in the band (None for the open-ended last band): a value belongs
    # to the first band whose `upto + 1` it is below, so colours change where alerts open.
    upto: float | None
    level: str
    label: str


def _bands(*limits: tuple[float | None, str, str]) -> list[Band]:
    return [{"upto": upto, "level": level, "label": label} for upto, level, label in limits]


def metric_bands() -> dict[str, list[Band]]:
    """Bands per metric code, lowest values first; levels are good, moderate, bad, very_bad."""
    good, moderate, bad, very_bad = _("Good"), _("Moderate"), _("Bad"), _("Very bad")
    return {
        "pm25": _bands(
            (15, "good", good),
            (35, "moderate", moderate),
            (75, "bad", bad),
            (None, "very_bad", very_bad),
        ),
        "pm10": _bands(
            (30, "good", good),
            (80, "moderate", moderate),
            (150, "bad", bad),
            (None, "very_bad", very_bad),
        ),
        "temperature": _bands(
            (0, "cold", _("Freezing")),
            (26, "good", _("Comfortable")),
            (32, "bad", _("Hot")),
            (None, "very_bad", _("Heat wave")),
        ),
        "humidity": _bands(
            (30, "moderate", _("Dry")),
            (60, "good", _("Comfortable")),
            (80, "moderate", _("Humid")),
            (None, "bad", _("Very humid")),
        ),
        # Korea's daytime standard for residential roadsides is 65 dB(A).
        "noise": _bands(
            (55, "good", _("Quiet")),
            (65, "moderate", _("Moderate")),
            (75, "bad", _("Loud")),
            (None, "very_bad", _("Very loud")),
        ),
        # Korea's indoor standard for carbon dioxide is 1,000 ppm.
        "co2": _bands(
            (1000, "good", good),
            (2000, "moderate", moderate),
            (5000, "bad", bad),
            (None, "very_bad", very_bad),
        ),
        "battery_soc": _bands(
            (10, "very_bad", _("Nearly empty")),
            (20, "bad", _("Low")),
            (50, "moderate", _("Half")),
            (None, "good", _("Charged")),
        ),
    }


def metric_catalogue(metrics: Any) -> list[dict[str, Any]]:
    """Metrics as the live pages need them: code, name in the current language, unit, bands."""
    bands = metric_bands()
    return [
        {
            "code": metric.code,
            "name": metric.name,
            "unit": metric.unit,
            "bands": bands.get(metric.code, []),
        }
        for metric in metrics
    ]
