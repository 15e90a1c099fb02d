from __future__ import annotations

import pytest

from pilots.evaluation import stats


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706205), (2, 4.302653), (5, 2.570582), (10, 2.228139), (30, 2.042272)],
)
def test_t_quantile_matches_the_tables(df: float, expected: float) -> None:
    assert stats.t_quantile(0.975, df) == pytest.approx(expected, abs=1e-5)


def test_t_quantile_is_symmetric() -> None:
    assert stats.t_quantile(0.025, 4) == pytest.approx(-stats.t_quantile(0.975, 4))


def test_welch_interval_widens_with_fewer_devices() -> None:
    few = stats.welch_interval([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])
    many = stats.welch_interval([1.0, 2.0, 3.0] * 4, [0.0, 1.0, 2.0] * 4)
    assert few.estimate == pytest.approx(1.0)
    assert many.estimate == pytest.approx(1.0)
    assert few.high - few.low > many.high - many.low


def test_difference_in_differences_removes_shared_changes_and_offsets() -> None:
    pilot = [
        stats.DeviceChange(10 + o, 10 + o + 5 - 2 + n) for o, n in [(0, 0.1), (3, -0.1), (6, 0.0)]
    ]
    control = [
        stats.DeviceChange(20 + o, 20 + o + 5 + n) for o, n in [(1, 0.2), (2, -0.2), (4, 0.0)]
    ]
    result = stats.difference_in_differences(pilot, control)
    assert result.estimate == pytest.approx(-2.0, abs=0.01)
    assert result.ci_low < -2.0 < result.ci_high
    # Pilot devices average 13 before and 16 after; without the pilot they would be at 18.
    assert result.relative_estimate == pytest.approx(-2.0 / 18.0, abs=0.01)


def test_an_interval_needs_two_devices_a_group() -> None:
    with pytest.raises(ValueError, match="two values"):
        stats.welch_interval([1.0], [1.0, 2.0])
