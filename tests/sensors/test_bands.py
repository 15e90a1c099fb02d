"""One table of bands gives the map its colours and the alerts their rules and sentences."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from sensors.bands import ALERT_RULES, BANDS, metric_catalogue
from sensors.models import Alert, Device, IngestBatch, Metric
from sensors.services import ingest_batch_accept, ingest_batch_process
from sensors.views import alert_phrases


def test_the_fine_dust_alerts_open_at_the_national_bad_and_very_bad_bands() -> None:
    thresholds = {str(rule.rule): rule.threshold for rule in ALERT_RULES}

    assert thresholds == {
        "pm25_bad": 36,
        "pm25_very_bad": 76,
        "pm10_bad": 81,
        "pm10_very_bad": 151,
        "heat_wave": 33,
    }


def test_every_alert_rule_but_silence_comes_from_a_band() -> None:
    from_bands = {band.alert[0] for bands in BANDS.values() for band in bands if band.alert}

    assert from_bands == set(Alert.Rule) - {Alert.Rule.DEVICE_SILENT}
    assert {rule.rule for rule in ALERT_RULES} == from_bands


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_alerts_stored_message_is_the_sentence_the_live_map_shows(
    public_device: Device, language: str
) -> None:
    with translation.override(language):
        ingest_batch_accept(
            device=public_device,
            items=[{"metric": "pm25", "time": timezone.now().isoformat(), "value": 80.0}],
            source=IngestBatch.Source.HTTP,
        )
        ingest_batch_process(batch_id=IngestBatch.objects.get().pk)
        phrases = alert_phrases(metric_catalogue(Metric.objects.all()))

    alert = Alert.objects.get(rule=Alert.Rule.PM25_VERY_BAD)
    assert alert.message == phrases["pm25_very_bad"].replace("{value}", "80.0")
