"""The metrics the city's devices measure, with units and physically possible ranges.

A reading outside its metric's range cannot be real (a broken sensor, a unit mix-up) and is
refused at ingest. Kept here, in code, so that a migration and the demo agree on one list.
"""

from __future__ import annotations

from typing import TypedDict

from django.utils.translation import gettext_lazy as _


class MetricSpec(TypedDict):
    code: str
    name_ko: str
    name_en: str
    unit: str
    min_value: float
    max_value: float


METRICS: list[MetricSpec] = [
    {
        "code": "pm10",
        "name_ko": "미세먼지(PM10)",
        "name_en": "Fine dust (PM10)",
        "unit": "µg/m³",
        "min_value": 0,
        "max_value": 2000,
    },
    {
        "code": "pm25",
        "name_ko": "초미세먼지(PM2.5)",
        "name_en": "Ultrafine dust (PM2.5)",
        "unit": "µg/m³",
        "min_value": 0,
        "max_value": 1000,
    },
    {
        "code": "temperature",
        "name_ko": "기온",
        "name_en": "Temperature",
        "unit": "°C",
        "min_value": -40,
        "max_value": 60,
    },
    {
        "code": "humidity",
        "name_ko": "습도",
        "name_en": "Humidity",
        "unit": "%",
        "min_value": 0,
        "max_value": 100,
    },
    {
        "code": "noise",
        "name_ko": "소음",
        "name_en": "Noise",
        "unit": "dB(A)",
        "min_value": 20,
        "max_value": 140,
    },
    {
        "code": "pedestrians",
        "name_ko": "보행자 수",
        "name_en": "Pedestrian count",
        "unit": "people/min",
        "min_value": 0,
        "max_value": 5000,
    },
    {
        "code": "vehicles",
        "name_ko": "차량 수",
        "name_en": "Vehicle count",
        "unit": "vehicles/min",
        "min_value": 0,
        "max_value": 1000,
    },
    {
        "code": "energy",
        "name_ko": "전력 사용량",
        "name_en": "Energy use",
        "unit": "kWh",
        "min_value": 0,
        "max_value": 100000,
    },
    {
        "code": "battery_soc",
        "name_ko": "배터리 충전율",
        "name_en": "Battery state of charge",
        "unit": "%",
        "min_value": 0,
        "max_value": 100,
    },
    {
        "code": "co2",
        "name_ko": "이산화탄소",
        "name_en": "Carbon dioxide",
        "unit": "ppm",
        "min_value": 250,
        "max_value": 10000,
    },
]


# Units written in words are shown in the reader's language; symbols (µg/m³, °C, dB(A), ppm, kWh)
# read the same in both. The stored unit stays as the catalogue writes it: it is what the API and
# the CSV files give.
UNIT_LABELS = {
    "people/min": _("people/min"),
    "vehicles/min": _("vehicles/min"),
}


def unit_label(unit: str) -> str:
    """The unit as a page shows it, in the current language."""
    label = UNIT_LABELS.get(unit)
    return str(label) if label is not None else unit
