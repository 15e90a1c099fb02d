"""Scorecards published on the API and on the pilot's page; decisions and where next."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from pilots.evaluation import selectors, services
from pilots.evaluation.models import Decision
from pilots.evaluation.templatetags.pilot_outcomes import CHART_PAD, CHART_WIDTH, _chart
from pilots.models import PhaseChange, Pilot
from portal.models import User
from portal.notifications.models import Notification
from tests.evaluation.factories import NOW, devices, hourly_rollups, plan, sensor_indicator
from tests.pilots.factories import join
from tests.portal.factories import district

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(pilot: Pilot) -> Pilot:
    ours, theirs = devices(3, pilot=pilot), devices(3, slug="mapo-gu")
    for device in ours:
        hourly_rollups(device, effect=-6.0)
    for device in theirs:
        hourly_rollups(device)
    plan(pilot, [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])])
    services.pilot_score(pilot=pilot, now=NOW - dt.timedelta(days=1))
    services.pilot_score(pilot=pilot, now=NOW)
    return pilot


def test_the_scorecards_are_listed_newest_first_in_the_published_shape(
    client: Client, scored: Pilot
) -> None:
    body = client.get(f"/api/pilots/{scored.slug}/scorecards/").json()
    results = body["results"]
    assert len(results) == 2
    assert results[0]["computed_at"] > results[1]["computed_at"]
    indicator = results[0]["indicators"][0]
    assert set(indicator) >= {
        "code",
        "kind",
        "estimate",
        "ci_low",
        "ci_high",
        "relative_estimate",
        "target",
        "target_met",
        "enough_data",
    }
    assert results[0]["recommendation"] == "scale_up"
    assert "Scaling up is recommended" in results[0]["explanation"]


def test_the_latest_scorecard_speaks_the_language_asked_for(scored: Pilot) -> None:
    korean = Client(headers={"accept-language": "ko"})
    body = korean.get(f"/api/pilots/{scored.slug}/scorecards/latest/").json()
    assert body["computed_at"].startswith("2026-06-01")
    assert "확대를 권고합니다" in body["explanation"]


def test_a_pilot_without_scorecards_has_no_latest(client: Client, pilot: Pilot) -> None:
    assert client.get(f"/api/pilots/{pilot.slug}/scorecards/latest/").status_code == 404


def test_the_pilot_page_shows_the_evidence_in_plain_words(client: Client, scored: Pilot) -> None:
    page = client.get(reverse("pilots:detail", kwargs={"slug": scored.slug})).content.decode()
    assert "Outcome indicators" in page
    assert 'data-testid="recommendation"' in page
    assert "Scale up" in page
    assert "<polyline" in page
    assert "95% interval" in page
    assert "The evaluation plan (version 1)" in page
    assert "daily means of whole days" in page


def test_the_pilot_page_shows_the_plan_in_words_its_amendments_and_the_decision(
    client: Client, scored: Pilot, manager: User
) -> None:
    indicators = [dict(item) for item in scored.evaluation_plan.indicators]
    indicators.append({**indicators[0], "code": "district", "control_devices": []})
    indicators[1]["control_districts"] = ["jongno-gu"]
    services.evaluation_plan_save(
        pilot=scored,
        indicators=indicators,
        by=manager,
        reason_en="Jongno-gu's stations added as a second comparison.",
    )
    scored.phase = Pilot.Phase.EVALUATING
    scored.save()
    services.decision_record(
        pilot=scored,
        outcome=Decision.Outcome.SCALE_UP,
        by=manager,
        reason_en="Fine dust clearly fell.",
        next_districts=[district("mapo-gu")],
    )
    page = client.get(reverse("pilots:detail", kwargs={"slug": scored.slug})).content.decode()
    plan = page.split('class="plan"')[1].split("</details>")[0]
    # Each indicator by its name, its target as the share it promises, its windows in the
    # city's days and what it is compared with; not the raw kind of the JSON.
    assert "<strong>Effect on " in plan
    assert "target -10%" in plan
    assert "sensor_effect" not in plan
    assert "pilot period: May 18, 2026 \u2013 June 1, 2026" in plan
    assert "3 pilot devices, 3 control devices" in plan
    assert "controls: the public devices of Jongno-gu" in plan
    assert "The evaluation plan (version 2)" in page
    assert "version 2: Jongno-gu&#x27;s stations added as a second comparison." in plan
    decided = page.split("What was decided")[1]
    assert "Scale up" in decided
    assert "Fine dust clearly fell." in decided
    assert "Mapo-gu" in decided


def test_a_plan_that_no_longer_validates_is_still_shown_as_written(
    client: Client, pilot: Pilot
) -> None:
    plan(pilot, [{"code": "stay", "kind": "participation", "weight": 1, "target": 7}])
    page = client.get(reverse("pilots:detail", kwargs={"slug": pilot.slug})).content.decode()
    shown = page.split('class="plan"')[1].split("</details>")[0]
    assert "<strong>Participants who stay</strong> <code>stay</code>" in shown
    assert "target 7" in shown


def _xs(points: str) -> list[float]:
    return [float(point.split(",")[0]) for point in points.split()]


def test_the_chart_follows_the_calendar_and_shades_from_the_hour_the_period_began() -> None:
    series = {
        "metric": "pm25",
        # The 18th, when the period began at 09:00, is only partly in either window.
        "days": ["2026-05-16", "2026-05-17", "2026-05-19", "2026-05-20"],
        "pilot": [30.0, 31.0, 25.0, None],
        "control": [30.0, 30.0, 30.0, 31.0],
        "period_start": "2026-05-18",
        "period_starts_at": "2026-05-18T09:00:00",
        "whole_days": True,
    }
    chart = _chart(series, None)
    assert chart is not None
    # Five calendar days from the 16th to the 20th; each day's mean stands at its midday.
    step = (CHART_WIDTH - 2 * CHART_PAD) / 5
    assert _xs(chart["pilot"]) == pytest.approx(
        [CHART_PAD + step * 0.5, CHART_PAD + step * 1.5, CHART_PAD + step * 3.5], abs=0.1
    )
    assert len(_xs(chart["control"])) == 4
    assert chart["split_x"] == pytest.approx(CHART_PAD + step * (2 + 9 / 24), abs=0.1)
    assert (chart["first_day"], chart["last_day"]) == ("2026-05-16", "2026-05-20")


def test_a_chart_of_an_older_scorecard_shades_from_the_period_start_date() -> None:
    series = {
        "metric": "pm25",
        "days": ["2026-05-17", "2026-05-18"],
        "pilot": [30.0, 25.0],
        "control": [30.0, 30.0],
        "period_start": "2026-05-18",
    }
    chart = _chart(series, None)
    assert chart is not None
    assert chart["split_x"] == pytest.approx(CHART_PAD + (CHART_WIDTH - 2 * CHART_PAD) / 2)
    assert chart["whole_days"] is False


def test_the_pilot_page_without_a_plan_says_so(client: Client, pilot: Pilot) -> None:
    page = client.get(reverse("pilots:detail", kwargs={"slug": pilot.slug})).content.decode()
    assert "once its evaluation plan is registered" in page


def test_a_decision_moves_the_phase_logs_it_and_tells_participants(
    scored: Pilot, manager: User, citizen: User
) -> None:
    join(scored, citizen)
    scored.phase = Pilot.Phase.EVALUATING
    scored.save()
    decision = services.decision_record(
        pilot=scored,
        outcome=Decision.Outcome.SCALE_UP,
        by=manager,
        reason_ko="미세먼지가 분명히 줄었습니다.",
        reason_en="Fine dust clearly fell.",
        next_districts=[district("mapo-gu")],
    )
    scored.refresh_from_db()
    assert scored.phase == Pilot.Phase.SCALED_UP
    assert decision.scorecard == selectors.latest_scorecard(scored)
    assert PhaseChange.objects.get(pilot=scored).to_phase == Pilot.Phase.SCALED_UP
    assert Notification.objects.filter(user=citizen, kind__contains="phase").exists()
    assert Decision.objects.filter(pk=decision.pk, reason_en="Fine dust clearly fell.").exists()


def test_a_scale_up_must_name_the_next_districts(scored: Pilot, manager: User) -> None:
    from django.core.exceptions import ValidationError

    scored.phase = Pilot.Phase.EVALUATING
    scored.save()
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            pilot=scored, outcome=Decision.Outcome.SCALE_UP, by=manager, reason_en="Works."
        )
    assert error.value.code == "evaluation_next_districts_missing"


def test_a_running_pilot_cannot_be_scaled_up_before_its_evaluation(
    scored: Pilot, manager: User
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.decision_record(
            pilot=scored,
            outcome=Decision.Outcome.EXTEND,
            by=manager,
            reason_en="More time.",
        )


def test_where_next_suggests_districts_like_those_where_it_worked(scored: Pilot) -> None:
    # Public devices in two other districts: one much like Gangnam-gu, one nothing like it
    # (twice the level, and its dust peaking at night instead of by day).
    for device in devices(2, slug="mapo-gu"):
        hourly_rollups(device, seed=3)
    for device in devices(2, slug="jongno-gu"):
        hourly_rollups(device, seed=4, level=60.0, cycle=-6.0)
    for device in devices(2, slug="gangnam-gu"):
        hourly_rollups(device, seed=5)
    suggestions = {s.district.slug: s for s in selectors.where_next(scored, now=NOW)}
    assert all(0 <= s.similarity <= 1 for s in suggestions.values())
    assert "gangnam-gu" not in suggestions
    alike, unlike = suggestions["mapo-gu"], suggestions["jongno-gu"]
    assert alike.similarity > 0.75
    assert alike.profile_correlation > 0.9
    assert unlike.similarity < 0.1
    assert unlike.level_difference > 0.5
    assert list(suggestions).index("mapo-gu") < list(suggestions).index("jongno-gu")


def test_pilots_of_a_domain_are_ranked_by_their_latest_score(scored: Pilot) -> None:
    ranking = selectors.domain_ranking(scored.domain)
    assert [pilot for pilot, _card in ranking] == [scored]
