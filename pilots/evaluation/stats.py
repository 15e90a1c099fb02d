"""The estimator behind every sensor indicator, in plain Python so that it can be simulated.

Hourly readings are strongly autocorrelated, devices differ from one another, and the whole city
shares weather and dust. So the unit of analysis is the device, not the hour: each device is
collapsed to one number, the change of its mean level from the baseline window to the pilot
period, and the difference-in-differences is the difference between the mean change of the pilot
devices and the mean change of the control devices. Shocks that hit every device alike cancel in
that difference; device offsets cancel in each device's change; autocorrelated noise only makes
the devices' changes vary more, which the spread between devices measures honestly. The 95%
interval is Welch's t interval with Satterthwaite's degrees of freedom, which holds its coverage
with as few as three devices a group (docs/evaluation.md has the simulation).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


@dataclass(frozen=True)
class DeviceChange:
    """One device's mean level in the baseline window and in the pilot period."""

    baseline_mean: float
    period_mean: float

    @property
    def change(self) -> float:
        return self.period_mean - self.baseline_mean


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    df: float


@dataclass(frozen=True)
class DidResult:
    """A difference-in-differences in the metric's unit, and relative to the counterfactual."""

    estimate: float
    ci_low: float
    ci_high: float
    df: float
    pilot_devices: int
    control_devices: int
    # The pilot devices' mean in the period had the pilot changed nothing: their own period mean
    # minus the estimated effect.
    counterfactual_mean: float
    relative_estimate: float | None
    relative_ci_low: float | None
    relative_ci_high: float | None


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _variance(values: Sequence[float]) -> float:
    centre = _mean(values)
    return math.fsum((value - centre) ** 2 for value in values) / (len(values) - 1)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` (possibly fractional) degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _t_density(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(t * t / df))


def t_quantile(p: float, df: float) -> float:
    """The `p` quantile of Student's t, by Newton's method on the distribution function.

    Above the median the distribution function is concave, so Newton's steps from a start below
    the quantile climb to it without overshooting, and from above land below it once; a step
    that would cross zero is halved instead. It converges in a handful of evaluations, where a
    bisection needs forty, which matters when every pilot of the city is scored at once.
    """
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError("t_quantile needs 0 < p < 1 and df > 0")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    # Start from the normal quantile widened for the t's heavier tails (Cornish-Fisher).
    z = statistics.NormalDist().inv_cdf(p)
    t = z + (z**3 + z) / (4.0 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96.0 * df * df)
    for _step in range(100):
        following = t - (t_cdf(t, df) - p) / _t_density(t, df)
        if following <= 0.0:
            following = t / 2.0
        if abs(following - t) <= 1e-14 * max(1.0, t):
            return following
        t = following
    return t


def welch_interval(
    a: Sequence[float], b: Sequence[float], confidence: float = CONFIDENCE
) -> Interval:
    """Mean of `a` minus mean of `b`, with Welch's t interval; each needs two values or more."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError("each group needs at least two values")
    estimate = _mean(a) - _mean(b)
    va, vb = _variance(a) / len(a), _variance(b) / len(b)
    se2 = va + vb
    if se2 <= 0.0:
        return Interval(estimate, estimate, estimate, float(len(a) + len(b) - 2))
    # Satterthwaite's degrees of freedom, never fewer than the smaller group allows.
    df = se2**2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    df = max(df, float(min(len(a), len(b)) - 1))
    half = t_quantile(0.5 + confidence / 2.0, df) * math.sqrt(se2)
    return Interval(estimate, estimate - half, estimate + half, df)


def mean_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """The mean of `values` with its t interval; needs two values or more."""
    if len(values) < 2:
        raise ValueError("a mean's interval needs at least two values")
    estimate = _mean(values)
    df = float(len(values) - 1)
    half = t_quantile(0.5 + confidence / 2.0, df) * math.sqrt(_variance(values) / len(values))
    return Interval(estimate, estimate - half, estimate + half, df)


def difference_in_differences(
    pilot: Sequence[DeviceChange],
    control: Sequence[DeviceChange],
    confidence: float = CONFIDENCE,
) -> DidResult:
    """(pilot period - pilot baseline) - (control period - control baseline), device by device.

    Needs at least two devices in each group; whether that is enough to judge is the caller's
    rule (see `scoring.MIN_DEVICES_PER_GROUP`).
    """
    interval = welch_interval(
        [device.change for device in pilot], [device.change for device in control], confidence
    )
    counterfactual = _mean([device.period_mean for device in pilot]) - interval.estimate
    relative: tuple[float | None, float | None, float | None] = (None, None, None)
    # A fraction of a counterfactual near zero means nothing (a count that was already nil).
    if abs(counterfactual) > 1e-9:
        relative = (
            interval.estimate / abs(counterfactual),
            interval.low / abs(counterfactual),
            interval.high / abs(counterfactual),
        )
    return DidResult(
        estimate=interval.estimate,
        ci_low=interval.low,
        ci_high=interval.high,
        df=interval.df,
        pilot_devices=len(pilot),
        control_devices=len(control),
        counterfactual_mean=counterfactual,
        relative_estimate=relative[0],
        relative_ci_low=relative[1],
        relative_ci_high=relative[2],
    )


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2.0
