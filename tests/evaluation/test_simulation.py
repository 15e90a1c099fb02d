"""The estimator's intervals hold their coverage on synthetic pilots built like the city's data.

See tests/evaluation/simulation.py for how the pilots are built and docs/evaluation.md for the
figures. Seeds are fixed, so each run checks the same few hundred pilots.
"""

from __future__ import annotations

import random

from pilots.evaluation.models import Recommendation
from pilots.evaluation.scoring import assess_sensor, recommend
from tests.evaluation.simulation import synthetic_pilot

EFFECT = -3.0  # µg/m³, about 10% of the level


def test_the_95_percent_interval_covers_a_known_effect_at_least_93_percent_of_the_time() -> None:
    rng = random.Random(20260601)
    covered = 0
    pilots = 300
    for _ in range(pilots):
        synthetic = synthetic_pilot(rng, effect=EFFECT)
        result, _series = assess_sensor(synthetic.spec, synthetic.rows, now=synthetic.now)
        assert result.ci_low is not None
        assert result.ci_high is not None
        covered += result.ci_low <= EFFECT <= result.ci_high
    assert covered / pilots >= 0.93


def test_with_no_effect_at_most_5_percent_of_pilots_are_recommended_for_scale_up() -> None:
    rng = random.Random(7)
    pilots = 250
    scaled = 0
    for _ in range(pilots):
        synthetic = synthetic_pilot(rng, effect=0.0)
        result, _series = assess_sensor(synthetic.spec, synthetic.rows, now=synthetic.now)
        scaled += recommend([result]).recommendation == Recommendation.SCALE_UP
    assert scaled / pilots <= 0.05


def test_a_clear_effect_is_found_in_most_pilots_with_enough_devices() -> None:
    rng = random.Random(11)
    pilots = 60
    scaled = 0
    for _ in range(pilots):
        synthetic = synthetic_pilot(rng, effect=-7.0, pilot_devices=8, control_devices=8)
        result, _series = assess_sensor(synthetic.spec, synthetic.rows, now=synthetic.now)
        scaled += recommend([result]).recommendation == Recommendation.SCALE_UP
    assert scaled / pilots >= 0.8


def test_two_devices_a_group_is_never_enough_to_judge() -> None:
    rng = random.Random(3)
    for _ in range(30):
        synthetic = synthetic_pilot(rng, effect=-10.0, pilot_devices=2, control_devices=2)
        result, _series = assess_sensor(synthetic.spec, synthetic.rows, now=synthetic.now)
        assert not result.enough_data
        assert recommend([result]).recommendation == Recommendation.INSUFFICIENT_EVIDENCE


def test_a_few_days_of_pilot_period_are_never_enough_to_judge() -> None:
    rng = random.Random(5)
    for _ in range(30):
        synthetic = synthetic_pilot(rng, effect=-10.0, baseline_days=14, period_days=4)
        result, _series = assess_sensor(synthetic.spec, synthetic.rows, now=synthetic.now)
        assert recommend([result]).recommendation == Recommendation.INSUFFICIENT_EVIDENCE
