"""Create the metric catalogue: what devices measure, with units and physically possible ranges.

The values are written out here as they were when the catalogue was created; this migration
never changes with sensors.catalogue.
"""

from django.db import migrations

METRICS = [
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


def load_metrics(apps, schema_editor):
    metric_model = apps.get_model("sensors", "Metric")
    for spec in METRICS:
        metric_model.objects.update_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )


class Migration(migrations.Migration):
    dependencies = [("sensors", "0001_initial")]

    operations = [migrations.RunPython(load_metrics, migrations.RunPython.noop)]
