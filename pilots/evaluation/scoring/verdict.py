"""The overall recommendation from a scorecard's indicators, with its plain explanation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pilots.evaluation.models import Recommendation
from pilots.evaluation.plan import Kind
from pilots.evaluation.scoring.results import IndicatorResult, Status


@dataclass(frozen=True)
class Verdict:
    recommendation: str
    score: float
    explanation_ko: str
    explanation_en: str


# Share of the plan's weight that must meet its targets for a scale-up, and that must clearly
# fail for a stop.
SCALE_UP_SHARE = 2 / 3
STOP_SHARE = 1 / 2


def recommend(
    results: Sequence[IndicatorResult], names: Mapping[str, tuple[str, str]] | None = None
) -> Verdict:
    """The overall recommendation, and a plain explanation of what drove it.

    `names` gives each indicator's name in Korean and English by its code; the explanation
    names indicators by them (by their codes where it has none).

    Not enough evidence whenever any indicator lacks the data to judge it: a guess would be
    worse than waiting. A scale-up needs every sensor effect clearly better and reaching its
    target, and two thirds of the plan's weight met; a stop, more than half the weight clearly
    failing; anything between is an extension to gather more evidence.
    """
    total = math.fsum(result.weight for result in results) or 1.0
    met_weight = math.fsum(result.weight for result in results if result.status == Status.MET)
    failed = math.fsum(result.weight for result in results if result.status == Status.NOT_MET)
    score = met_weight / total
    known = names or {}

    def listed(chosen: Sequence[IndicatorResult], language: int) -> str:
        return ", ".join(known.get(r.code, (r.code, r.code))[language] for r in chosen) or "—"

    lacking = [result for result in results if not result.enough_data]
    sensors = [result for result in results if result.kind == Kind.SENSOR_EFFECT]
    met = [result for result in results if result.status == Status.MET]
    short = [result for result in results if result.status == Status.NOT_MET]
    if not results or lacking:
        return Verdict(
            Recommendation.INSUFFICIENT_EVIDENCE,
            score,
            f"아직 판단할 자료가 부족합니다. 자료가 모자란 지표: {listed(lacking, 0)}. "
            "기기 수, 시행 전후 기간, 응답 수가 기준에 이를 때까지 평가를 계속합니다.",
            f"There is not enough data to judge yet. Indicators lacking data: "
            f"{listed(lacking, 1)}. "
            "Scoring goes on until the devices, the days before and after, and the answers reach "
            "the plan's minimums.",
        )
    if all(result.status == Status.MET for result in sensors) and score >= SCALE_UP_SHARE:
        return Verdict(
            Recommendation.SCALE_UP,
            score,
            f"계획한 가중치의 {score:.0%}가 목표에 이르렀고, 센서로 측정한 효과가 95% 신뢰구간 "
            f"전체에서 분명합니다. 목표 달성 지표: {listed(met, 0)}. 확대를 권고합니다.",
            f"{score:.0%} of the plan's weight met its targets, and every measured sensor effect "
            f"is clear across its whole 95% interval. Targets met: {listed(met, 1)}. "
            "Scaling up is recommended.",
        )
    if failed / total > STOP_SHARE:
        return Verdict(
            Recommendation.STOP,
            score,
            f"계획한 가중치의 {failed / total:.0%}가 목표에 분명히 미치지 못했습니다(신뢰구간의 "
            f"가장 좋은 끝도 목표에 닿지 않음). 미달 지표: {listed(short, 0)}. 중단을 권고합니다.",
            f"{failed / total:.0%} of the plan's weight clearly fell short of its targets (even "
            f"the best end of the interval misses). Short of target: {listed(short, 1)}. "
            "Stopping is recommended.",
        )
    return Verdict(
        Recommendation.EXTEND,
        score,
        f"증거가 엇갈리거나 아직 불확실합니다(목표 달성: {listed(met, 0)}; "
        f"미달: {listed(short, 0)}). "
        "신뢰구간이 목표를 포함하므로 기간을 연장해 더 많은 자료를 모을 것을 권고합니다.",
        f"The evidence is mixed or still uncertain (targets met: {listed(met, 1)}; short: "
        f"{listed(short, 1)}). The intervals still include the targets, so extending the pilot to "
        "gather more data is recommended.",
    )
