"""Scoring through the database: rollups in, scorecard out, by the service, command and task."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilots.evaluation import selectors, services
from pilots.evaluation.models import Recommendation, Scorecard
from pilots.evaluation.plan import parse_indicators
from pilots.models import Enrolment, Pilot, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from portal.models import User
from portal.reports.models import Report
from sensors.models import HourRollup
from tests.evaluation.factories import (
    NOW,
    PERIOD_START,
    devices,
    hourly_rollups,
    plan,
    sensor_indicator,
)
from tests.pilots.factories import PilotFactory
from tests.portal.factories import UserFactory
from tests.reports.factories import ReportFactory
from tests.sensors.factories import metric

pytestmark = pytest.mark.django_db


def _sensor_pilot(pilot: Pilot, *, effect: float, per_group: int = 4) -> None:
    pilot_devices = devices(per_group, pilot=pilot)
    controls = devices(per_group, slug="mapo-gu")
    for device in pilot_devices:
        hourly_rollups(device, effect=effect)
    for device in controls:
        hourly_rollups(device)
    plan(pilot, [sensor_indicator([d.pk for d in pilot_devices], [d.pk for d in controls])])


def test_a_clear_effect_in_the_rollups_is_recommended_for_scale_up(pilot: Pilot) -> None:
    _sensor_pilot(pilot, effect=-6.0)
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    [indicator] = scorecard.indicators
    assert scorecard.recommendation == Recommendation.SCALE_UP
    assert indicator["enough_data"] is True
    # One pilot's interval misses the true effect one time in twenty, and which random values
    # a device gets depends on its id, so the test order; coverage is the simulation's to show
    # (test_simulation.py). Here: the estimate is near the effect, inside its clearly negative
    # interval.
    assert indicator["estimate"] == pytest.approx(-6.0, abs=0.5)
    assert indicator["ci_low"] < indicator["estimate"] < indicator["ci_high"] < 0
    assert indicator["relative_estimate"] == pytest.approx(-6.0 / 30.0, abs=0.05)
    assert indicator["details"]["pilot_devices"] == 4
    assert indicator["details"]["days_before"] >= 14
    assert len(scorecard.series["pm25"]["days"]) == 26  # the whole local days; see below
    # The explanation names what was measured, in words, not by the plan's code.
    assert "Targets met: Effect on" in scorecard.explanation_en
    assert "에 대한 효과" in scorecard.explanation_ko


def test_no_effect_is_not_recommended_for_scale_up(pilot: Pilot) -> None:
    _sensor_pilot(pilot, effect=0.0)
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    assert scorecard.recommendation == Recommendation.STOP


def test_two_devices_a_group_give_insufficient_evidence(pilot: Pilot) -> None:
    _sensor_pilot(pilot, effect=-6.0, per_group=2)
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    assert scorecard.recommendation == Recommendation.INSUFFICIENT_EVIDENCE
    assert scorecard.indicators[0]["enough_data"] is False


def test_controls_can_be_the_public_devices_of_districts(pilot: Pilot) -> None:
    pilot_devices = devices(3, pilot=pilot)
    for device in [*pilot_devices, *devices(3, slug="mapo-gu")]:
        hourly_rollups(device, effect=-6.0 if device in pilot_devices else 0.0)
    # A private device in the control district is no control.
    private = devices(1, slug="mapo-gu")[0]
    private.visibility = private.Visibility.PRIVATE
    private.save()
    hourly_rollups(private, effect=50.0)
    indicator = sensor_indicator([d.pk for d in pilot_devices], [], control_districts=["mapo-gu"])
    plan(pilot, [indicator])
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    assert scorecard.indicators[0]["details"]["control_devices"] == 3
    assert scorecard.recommendation == Recommendation.SCALE_UP


def test_scoring_a_pilot_reads_its_rollups_in_one_query(
    pilot: Pilot, django_assert_max_num_queries: object
) -> None:
    _sensor_pilot(pilot, effect=-6.0, per_group=6)
    # The transaction's savepoint and its release, the plan, the rollups, the new scorecard.
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        services.pilot_score(pilot=pilot, now=NOW)


def _rollup_reads(queries: CaptureQueriesContext) -> int:
    return sum("sensors_hourrollup" in query["sql"] for query in queries.captured_queries)


def test_scoring_many_pilots_reads_all_their_rollups_in_one_statement(pilot: Pilot) -> None:
    _sensor_pilot(pilot, effect=-6.0)
    for number in range(3):
        _sensor_pilot(PilotFactory.create(slug=f"pilot-{number}"), effect=0.0)
    with CaptureQueriesContext(connection) as queries:
        assert services.pilots_score(now=NOW) == 4
    assert _rollup_reads(queries) == 1


def _overlapping_pilots(pilot: Pilot) -> list[Pilot]:
    """Pilots whose sensor indicators share devices and windows every way they can."""
    second = PilotFactory.create(slug="second-pilot")
    third = PilotFactory.create(slug="third-pilot")
    ours, theirs = devices(4, pilot=pilot), devices(4, pilot=second)
    public = devices(3, slug="mapo-gu")
    for device in ours:
        hourly_rollups(device, effect=-6.0)
    for device in theirs:
        hourly_rollups(device, effect=-2.0, seed=1)
    for device in public:
        hourly_rollups(device, seed=2)
    ids = [device.pk for device in ours], [device.pk for device in theirs]
    # Each pilot's devices are the other's controls; one indicator takes its controls from a
    # district; one has a gap between its windows and another a period still running.
    plan(
        pilot,
        [
            sensor_indicator(ids[0], ids[1]),
            sensor_indicator(ids[0][:3], [], code="district", control_districts=["mapo-gu"]),
        ],
    )
    plan(
        second,
        [
            sensor_indicator(
                ids[1],
                ids[0],
                baseline_end=(PERIOD_START - dt.timedelta(days=2, hours=5)).isoformat(),
                period_start=(PERIOD_START + dt.timedelta(hours=7)).isoformat(),
            ),
            {"code": "stay", "kind": "participation", "weight": 1, "target": 0.8},
        ],
    )
    plan(
        third,
        [
            sensor_indicator(
                [device.pk for device in public],
                [*ids[1], ids[0][0]],
                period_end=(NOW + dt.timedelta(days=30)).isoformat(),
            )
        ],
    )
    broken = PilotFactory.create(slug="broken-plan")
    plan(broken, [])  # a plan that no longer validates is skipped, and disturbs no one
    return [pilot, second, broken, third]


def _card(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "indicators": scorecard.indicators,
        "series": scorecard.series,
        "recommendation": scorecard.recommendation,
        "score": scorecard.score,
        "explanation_en": scorecard.explanation_en,
        "explanation_ko": scorecard.explanation_ko,
    }


def test_scoring_pilots_together_gives_each_the_scorecard_it_gets_alone(pilot: Pilot) -> None:
    pilots = _overlapping_pilots(pilot)
    assert services.pilots_score(pilots=pilots, now=NOW) == 3
    together = {card.pilot_id: _card(card) for card in Scorecard.objects.all()}
    for each in [pilots[0], pilots[1], pilots[3]]:
        assert _card(services.pilot_score(pilot=each, now=NOW)) == together[each.pk]
    assert together[pilot.pk]["indicators"][1]["details"]["control_devices"] == 3
    assert {card["recommendation"] for card in together.values()} >= {Recommendation.SCALE_UP}


def test_a_read_split_over_several_statements_gives_the_same_scorecards(
    pilot: Pilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite limits a statement's parameters, so a large read goes in several statements.
    pilots = _overlapping_pilots(pilot)
    services.pilots_score(pilots=pilots, now=NOW)
    whole = {card.pilot_id: _card(card) for card in Scorecard.objects.all()}
    Scorecard.objects.all().delete()
    monkeypatch.setattr(connection.features, "max_query_params", 20)
    with CaptureQueriesContext(connection) as queries:
        services.pilots_score(pilots=pilots, now=NOW)
    assert _rollup_reads(queries) > 1
    assert {card.pilot_id: _card(card) for card in Scorecard.objects.all()} == whole


def test_days_are_the_citys_local_days(pilot: Pilot) -> None:
    [device] = devices(1, pilot=pilot)
    pm25 = metric("pm25")
    # 14:00 UTC is 23:00 in Seoul, the same day; 15:00 UTC is midnight, the next day.
    for hour, value in [(14, 10.0), (15, 30.0), (16, 50.0)]:
        HourRollup.objects.create(
            device=device,
            metric=pm25,
            bucket=dt.datetime(2026, 5, 10, hour, tzinfo=dt.UTC),
            count=1,
            min=value,
            max=value,
            sum=value,
            mean=value,
        )
    spec = parse_indicators([sensor_indicator([device.pk], [], control_districts=["mapo-gu"])])[0]
    found = selectors.sensor_devices([(pilot, spec)], now=NOW, metric_ids=selectors.metric_ids())
    [(_device, group, windows)] = found[pilot.pk, "pm25"]
    assert group == "p"
    assert windows.daily == ((dt.date(2026, 5, 10), 10.0), (dt.date(2026, 5, 11), 40.0))
    assert windows.days == {"b": 2, "p": 0}


def test_the_chart_keeps_only_whole_local_days(pilot: Pilot) -> None:
    # The windows start and end at midnight UTC, 09:00 in Seoul: the first day of each window
    # and the last of the period would average only some of their hours.
    _sensor_pilot(pilot, effect=-6.0)
    series = services.pilot_score(pilot=pilot, now=NOW).series["pm25"]
    assert series["days"][0] == "2026-05-05"
    assert series["days"][-1] == "2026-05-31"
    assert "2026-05-18" not in series["days"]  # the period starts at 09:00 that day
    assert "2026-05-17" in series["days"]
    assert "2026-05-19" in series["days"]
    assert series["period_start"] == "2026-05-18"
    assert series["period_starts_at"] == "2026-05-18T09:00:00"
    assert series["whole_days"] is True


def _people(count: int) -> list[User]:
    return [UserFactory.create(username=f"resident-{n}") for n in range(count)]


def test_satisfaction_participation_reports_and_cost_are_scored(pilot: Pilot) -> None:
    pilot.capacity = 20
    pilot.save()
    survey = Survey.objects.create(pilot=pilot, title="How is it?", phase=pilot.phase)
    question = SurveyQuestion.objects.create(
        survey=survey, kind=SurveyQuestion.Kind.RATING, prompt="Do you feel safer?"
    )
    people = _people(12)
    for number, person in enumerate(people):
        Enrolment.objects.create(
            pilot=pilot,
            user=person,
            status=Enrolment.Status.WITHDRAWN if number < 2 else Enrolment.Status.PARTICIPATING,
            joined_at=NOW,
        )
        response = SurveyResponse.objects.create(survey=survey, user=person)
        SurveyAnswer.objects.create(response=response, question=question, rating=4 + number % 2)
    report = ReportFactory.create(pilot=pilot)
    Report.objects.filter(pk=report.pk).update(closed_at=report.created_at + dt.timedelta(hours=5))
    plan(
        pilot,
        [
            {
                "code": "sat",
                "kind": "satisfaction",
                "weight": 1,
                "target": 4,
                "question": question.pk,
            },
            {"code": "stay", "kind": "participation", "weight": 1, "target": 0.8},
            {"code": "rep", "kind": "reports", "weight": 1, "target": 0.5},
            {"code": "cost", "kind": "cost", "weight": 1, "target": 200000, "budget": 1500000},
        ],
    )
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    found = {indicator["code"]: indicator for indicator in scorecard.indicators}
    assert found["sat"]["estimate"] == pytest.approx(4.5)
    assert found["sat"]["ci_low"] < 4.5 < found["sat"]["ci_high"]
    assert found["stay"]["estimate"] == pytest.approx(10 / 12)
    assert found["stay"]["details"]["fill_rate"] == pytest.approx(10 / 20)
    assert found["rep"]["estimate"] == pytest.approx(1 / 10)
    assert found["rep"]["details"]["median_hours_to_close"] == pytest.approx(5)
    assert found["cost"]["estimate"] == pytest.approx(150000)
    assert all(indicator["target_met"] for indicator in scorecard.indicators)
    assert scorecard.recommendation == Recommendation.SCALE_UP
    assert scorecard.score == pytest.approx(1.0)


def test_too_few_answers_give_insufficient_evidence(pilot: Pilot) -> None:
    survey = Survey.objects.create(pilot=pilot, title="How is it?", phase=pilot.phase)
    question = SurveyQuestion.objects.create(
        survey=survey, kind=SurveyQuestion.Kind.RATING, prompt="Do you feel safer?"
    )
    for person in _people(3):
        response = SurveyResponse.objects.create(survey=survey, user=person)
        SurveyAnswer.objects.create(response=response, question=question, rating=5)
    plan(
        pilot,
        [
            {
                "code": "sat",
                "kind": "satisfaction",
                "weight": 1,
                "target": 4,
                "question": question.pk,
            }
        ],
    )
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    assert scorecard.recommendation == Recommendation.INSUFFICIENT_EVIDENCE
    # The explanation names the indicator in words, not by the plan's code.
    assert "Participants' satisfaction" in scorecard.explanation_en
    assert "참여자 만족도" in scorecard.explanation_ko


def test_the_command_scores_every_running_pilot_with_a_plan(pilot: Pilot) -> None:
    _sensor_pilot(pilot, effect=-6.0)
    call_command("score_pilots")
    call_command("score_pilots", "--pilot", pilot.slug)
    assert Scorecard.objects.filter(pilot=pilot).count() == 2


def test_the_command_refuses_an_unknown_pilot(db: None) -> None:
    with pytest.raises(CommandError, match="No pilot"):
        call_command("score_pilots", "--pilot", "nowhere")


def test_the_nightly_task_skips_proposed_pilots_and_pilots_without_a_plan(pilot: Pilot) -> None:
    from pilots.evaluation.tasks import pilots_score

    _sensor_pilot(pilot, effect=-6.0)
    proposed = PilotFactory.create(phase=Pilot.Phase.PROPOSED)
    plan(proposed, pilot.evaluation_plan.indicators)
    PilotFactory.create()  # running, no plan
    assert pilots_score.delay().get() == 1
    assert list(Scorecard.objects.values_list("pilot", flat=True)) == [pilot.pk]
