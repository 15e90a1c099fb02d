"""The demo's week of history and the simulator's live devices come from one model of readings."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from sensors import demo, simulator, synthetic

SEOUL = ZoneInfo("Asia/Seoul")
# A morning rush; the devices of these tests name no district, so no dust event reaches them.
MORNING_RUSH = dt.datetime(2026, 11, 26, 8, 30, tzinfo=SEOUL)


def demo_mean(metric: str, moment: dt.datetime) -> float:
    values = [demo.demo_value(metric, moment, device_id) for device_id in range(1, 301)]
    return sum(values) / len(values)


def simulator_mean(metric: str, moment: dt.datetime) -> float:
    rng = random.Random(11)
    values = []
    for number in range(300):
        device = simulator.SimulatedDevice(
            id=number, name=f"sim-{number}", metrics=[metric], token="t", bias=rng.gauss(0, 1)
        )
        # A few readings in, the device's values have wandered away from where they started.
        for _step in range(20):
            value = simulator.value_at(metric, moment, device=device, dust=1.0, rng=rng)
        values.append(value)
    return sum(values) / len(values)


@pytest.mark.parametrize(("metric", "tolerance"), [("pm25", 2.0), ("noise", 1.0)])
def test_the_demo_and_the_simulator_agree_on_a_morning_rush(metric: str, tolerance: float) -> None:
    assert demo_mean(metric, MORNING_RUSH) == pytest.approx(
        simulator_mean(metric, MORNING_RUSH), abs=tolerance
    )


def test_the_demo_and_the_simulator_agree_on_a_night() -> None:
    night = MORNING_RUSH.replace(hour=3)

    assert demo_mean("temperature", night) == pytest.approx(
        simulator_mean("temperature", night), abs=0.5
    )


def test_a_demo_value_is_the_same_whatever_time_zone_its_time_is_written_in() -> None:
    in_utc = MORNING_RUSH.astimezone(dt.UTC)

    assert demo.demo_value("noise", MORNING_RUSH, 7) == demo.demo_value("noise", in_utc, 7)


def test_the_morning_rush_is_louder_than_the_night_whatever_the_time_zone() -> None:
    night = MORNING_RUSH.replace(hour=3).astimezone(dt.UTC)

    assert demo_mean("noise", MORNING_RUSH.astimezone(dt.UTC)) > demo_mean("noise", night) + 10


def test_the_model_knows_every_metric_a_simulated_device_measures() -> None:
    measured = {code for codes in synthetic.KIND_METRICS.values() for code in codes}

    assert measured == set(synthetic.LIMITS)


def test_the_demo_history_has_a_few_regional_dust_events_a_day() -> None:
    districts = [f"district-{n}" for n in range(25)]
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(28)]
    dusty_days = {
        (day, district)
        for day in days
        for district in districts
        if any(
            synthetic.demo_dust(
                district, dt.datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)
            )
            > 1.2
            for hour in range(24)
        )
    }

    per_day = len(dusty_days) / len(days)
    assert 1 <= per_day <= 6
    # Never the whole city at once.
    assert max(sum(1 for d, _ in dusty_days if d == day) for day in days) <= 8
