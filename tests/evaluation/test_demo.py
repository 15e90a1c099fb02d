from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from pilots.evaluation.demo import seed_evaluations
from pilots.evaluation.models import Recommendation, Scorecard
from pilots.models import Pilot
from portal.languages import text_in
from sensors.models import Device
from tests.pilots.factories import PilotFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC)


def test_the_demo_shows_a_pilot_that_works_one_without_effect_and_one_without_enough_data() -> None:
    pilots: dict[str, Pilot] = {
        slug: PilotFactory.create(slug=slug, districts=[district])
        for slug, district in [
            ("air-quality-bus-stops", "jongno-gu"),
            ("heat-shelter-sensors", "guro-gu"),
            ("noise-map-nightlife", "mapo-gu"),
        ]
    }
    assert seed_evaluations(pilots, now=NOW) == 3
    outcomes = {
        card.pilot.slug: card.recommendation for card in Scorecard.objects.select_related("pilot")
    }
    assert outcomes == {
        "air-quality-bus-stops": Recommendation.SCALE_UP,
        "heat-shelter-sensors": Recommendation.STOP,
        "noise-map-nightlife": Recommendation.INSUFFICIENT_EVIDENCE,
    }
    # A second run adds no rollups and no scorecards.
    assert seed_evaluations(pilots, now=NOW) == 0


def test_the_demos_devices_are_named_in_korean_and_english() -> None:
    pilot = PilotFactory.create(slug="air-quality-bus-stops", districts=["jongno-gu"])
    seed_evaluations({pilot.slug: pilot}, now=NOW)
    ours = Device.objects.get(name="eval-air-quality-bus-stops-01")
    control = Device.objects.get(name="eval-air-quality-bus-stops-control-02")
    assert text_in(ours, "display_name", "ko") == "종로구 미세먼지 측정소 시범 지점 1"
    assert text_in(ours, "display_name", "en") == "Jongno-gu fine-dust station, pilot site 1"
    assert text_in(control, "display_name", "ko") == "성동구 미세먼지 측정소 비교 지점 2"
    assert text_in(control, "display_name", "en") == (
        "Seongdong-gu fine-dust station, control site 2"
    )
    with translation.override("ko"):
        assert ours.label == "종로구 미세먼지 측정소 시범 지점 1"
