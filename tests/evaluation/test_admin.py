"""The evaluation admin: plans amended with a reason, the score action, the decision form."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pilots.evaluation import services
from pilots.evaluation.models import Decision, EvaluationPlan, PlanAmendment, Scorecard
from pilots.models import Pilot
from portal.languages import text_in
from portal.models import User
from tests.evaluation.factories import NOW, devices, hourly_rollups, plan, sensor_indicator
from tests.pilots.factories import PilotFactory
from tests.portal.factories import district

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(pilot: Pilot) -> EvaluationPlan:
    ours, theirs = devices(3, pilot=pilot), devices(3, slug="mapo-gu")
    for device in ours:
        hourly_rollups(device, effect=-6.0)
    for device in theirs:
        hourly_rollups(device)
    return plan(pilot, [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])])


def test_the_score_action_scores_the_selected_pilots(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    client.force_login(manager)
    response = client.post(
        reverse("admin:evaluation_evaluationplan_changelist"),
        {"action": "score_now", "_selected_action": [planned.pk]},
    )
    assert response.status_code == 302
    assert Scorecard.objects.filter(pilot=planned.pilot).count() == 1


def test_another_pilots_manager_does_not_see_the_plan(
    client: Client, other_manager: User, planned: EvaluationPlan
) -> None:
    client.force_login(other_manager)
    url = reverse("admin:evaluation_evaluationplan_change", args=[planned.pk])
    assert client.get(url).status_code in {302, 403, 404}


def test_the_decision_form_records_a_scale_up_and_moves_the_phase(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    pilot = planned.pilot
    pilot.phase = Pilot.Phase.EVALUATING
    pilot.save()
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    client.force_login(manager)
    url = reverse("admin:evaluation_scorecard_decide", args=[scorecard.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Record the decision" in page.content.decode()
    response = client.post(
        url,
        {
            "outcome": "scale_up",
            "reason_ko": "효과가 분명합니다.",
            "reason_en": "The effect is clear.",
            "next_districts": [district("mapo-gu").pk],
        },
    )
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.phase == Pilot.Phase.SCALED_UP
    assert Decision.objects.get(pilot=pilot).scorecard == scorecard


def test_the_scorecard_page_names_indicators_in_words_and_its_time_in_the_citys_zone(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    # 23:30 UTC is 08:30 the next morning in Seoul.
    scorecard = services.pilot_score(pilot=planned.pilot, now=NOW.replace(hour=23, minute=30))
    client.force_login(manager)

    page = client.get(
        reverse("admin:evaluation_scorecard_change", args=[scorecard.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert '<th scope="row">Effect on ' in page
    assert '<th scope="row">pm25</th>' not in page
    local = timezone.localtime(scorecard.computed_at)
    assert f"{local:%Y-%m-%d} 08:30" in str(scorecard)


def test_the_decision_form_ranks_the_pilots_of_the_domain_by_their_newest_score(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    pilot = planned.pilot
    scorecard = services.pilot_score(pilot=pilot, now=NOW)
    # Another pilot of the same domain, whose newest scorecard scores lower than an older one,
    # and one of another domain, which is not ranked beside it.
    rival = PilotFactory.create(title="Rival crosswalk", domain=pilot.domain)
    other = PilotFactory.create(title="Solar benches", domain=Pilot.Domain.ENERGY)
    for owner, score, when in [(rival, 1.0, NOW), (rival, 0.25, NOW), (other, 0.5, NOW)]:
        Scorecard.objects.create(
            pilot=owner,
            plan_version=1,
            computed_at=when,
            recommendation="extend",
            score=score,
            explanation_ko="—",
            explanation_en="—",
        )
    client.force_login(manager)
    page = client.get(reverse("admin:evaluation_scorecard_decide", args=[scorecard.pk]))
    ranking = page.content.decode().split('data-testid="domain-ranking"')[1].split("</table>")[0]
    assert scorecard.score == 1.0
    assert ranking.index(pilot.title) < ranking.index("Rival crosswalk")
    assert "25%" in ranking
    assert "Solar benches" not in ranking


def test_districts_to_go_next_are_suggested_only_for_a_pilot_that_works(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    pilot = planned.pilot
    working = services.pilot_score(pilot=pilot, now=NOW)
    stopped = Scorecard.objects.create(
        pilot=pilot,
        plan_version=1,
        computed_at=NOW,
        recommendation="stop",
        score=0.0,
        explanation_ko="—",
        explanation_en="—",
    )
    client.force_login(manager)

    def where_next(scorecard: Scorecard) -> str:
        page = client.get(
            reverse("admin:evaluation_scorecard_decide", args=[scorecard.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
        return page.split("Where next</h2>")[1].split("<h2>")[0]

    assert working.recommendation == "scale_up"
    assert "suggested once the scorecard recommends scaling up" not in where_next(working)
    assert "suggested once the scorecard recommends scaling up" in where_next(stopped)
    assert 'data-testid="where-next"' not in where_next(stopped)


def test_another_pilots_manager_cannot_open_the_decision_form(
    client: Client, other_manager: User, planned: EvaluationPlan
) -> None:
    scorecard = services.pilot_score(pilot=planned.pilot, now=NOW)
    client.force_login(other_manager)
    url = reverse("admin:evaluation_scorecard_decide", args=[scorecard.pk])
    assert client.get(url).status_code in {403, 404}


# --- The plan's add and change form, and its JSON editor ---------------------------------------

# The amendments inline's management form, which every post of the plan's form carries.
NO_AMENDMENTS = {
    "amendments-TOTAL_FORMS": "0",
    "amendments-INITIAL_FORMS": "0",
    "amendments-MIN_NUM_FORMS": "0",
    "amendments-MAX_NUM_FORMS": "0",
}


def _indicators() -> list[dict[str, Any]]:
    ours, theirs = devices(3), devices(3, slug="mapo-gu")
    return [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])]


def _errors(response: TestResponse) -> dict[str, list[str]]:
    """The plan form's errors by field, as the page shows them."""
    assert response.status_code == 200, "the form is shown again, not redirected"
    errors: dict[str, list[str]] = response.context["adminform"].form.errors
    return errors


def _no_messages(response: TestResponse) -> bool:
    return not list(get_messages(response.wsgi_request))


def test_a_manager_registers_a_plan_with_the_add_form(
    client: Client, manager: User, pilot: Pilot
) -> None:
    pilot.phase = Pilot.Phase.RECRUITING
    pilot.save()
    client.force_login(manager)
    url = reverse("admin:evaluation_evaluationplan_add")
    page = client.get(url).content.decode()
    assert 'class="plan-editor"' in page
    assert "evaluation/css/plan-editor.css" in page
    indicators = _indicators()
    response = client.post(
        url, {"pilot": pilot.pk, "indicators": json.dumps(indicators), **NO_AMENDMENTS}
    )
    assert response.status_code == 302
    plan = EvaluationPlan.objects.get(pilot=pilot)
    assert plan.indicators == indicators
    assert plan.updated_by == manager


def test_the_json_editor_shows_the_plan_indented_and_in_korean_as_written(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    planned.indicators[0]["note"] = "버스 정류장"
    planned.save()
    client.force_login(manager)
    page = client.get(reverse("admin:evaluation_evaluationplan_change", args=[planned.pk]))
    shown = page.context["adminform"].form["indicators"].value()
    assert shown.startswith('[\n  {\n    "code": "pm25",\n    "kind": "sensor_effect",')
    assert '"note": "버스 정류장"' in shown
    assert json.loads(shown) == planned.indicators
    assert escape(shown) in page.content.decode()


def test_text_that_is_not_json_is_refused_beside_the_editor(
    client: Client, manager: User, pilot: Pilot
) -> None:
    client.force_login(manager)
    response = client.post(
        reverse("admin:evaluation_evaluationplan_add"),
        {"pilot": pilot.pk, "indicators": '[{"code": "pm25",', **NO_AMENDMENTS},
    )
    assert _errors(response) == {"indicators": ["Enter a valid JSON."]}
    assert escape('[{"code": "pm25",') in response.content.decode(), "what was typed is kept"
    assert not EvaluationPlan.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "vibes"}, "Indicator 1: “kind” must be one of"),
        ({"metric": "nonsense"}, "Unknown metric: nonsense."),
        ({"pilot_devices": [999999]}, "Unknown device ids: 999999."),
    ],
)
def test_a_plan_that_breaks_a_rule_is_refused_beside_the_editor(
    client: Client, manager: User, pilot: Pilot, change: dict[str, Any], message: str
) -> None:
    pilot.phase = Pilot.Phase.PROPOSED
    pilot.save()
    client.force_login(manager)
    indicators = _indicators()
    indicators[0].update(change)
    response = client.post(
        reverse("admin:evaluation_evaluationplan_add"),
        {"pilot": pilot.pk, "indicators": json.dumps(indicators), **NO_AMENDMENTS},
    )
    [shown] = _errors(response)["indicators"]
    assert shown.startswith(message)
    assert 'class="form-row errors field-indicators"' in response.content.decode()
    assert _no_messages(response)
    assert not EvaluationPlan.objects.exists()


def test_an_amendment_without_a_reason_is_refused_beside_the_reason(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    client.force_login(manager)
    changed = [{**planned.indicators[0], "target": -0.2}]
    response = client.post(
        reverse("admin:evaluation_evaluationplan_change", args=[planned.pk]),
        {"indicators": json.dumps(changed), **NO_AMENDMENTS},
    )
    assert list(_errors(response)) == ["reason_ko"]
    assert "can only be amended, with a reason" in _errors(response)["reason_ko"][0]
    assert _no_messages(response)
    planned.refresh_from_db()
    assert planned.indicators[0]["target"] == -0.10
    assert planned.version == 1


def test_an_amendment_that_changes_nothing_is_refused_beside_the_editor(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    client.force_login(manager)
    response = client.post(
        reverse("admin:evaluation_evaluationplan_change", args=[planned.pk]),
        {
            "indicators": json.dumps(planned.indicators),
            "reason_en": "Nothing, really.",
            **NO_AMENDMENTS,
        },
    )
    assert _errors(response) == {"indicators": ["The amendment changes nothing in the plan."]}
    assert not PlanAmendment.objects.exists()


def test_an_amendment_with_a_reason_is_kept_and_raises_the_version(
    client: Client, manager: User, planned: EvaluationPlan
) -> None:
    client.force_login(manager)
    changed = [{**planned.indicators[0], "target": -0.2}]
    response = client.post(
        reverse("admin:evaluation_evaluationplan_change", args=[planned.pk]),
        {
            "indicators": json.dumps(changed),
            "reason_ko": "목표를 높였습니다.",
            "reason_en": "A higher target.",
            **NO_AMENDMENTS,
        },
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.version == 2
    amendment = PlanAmendment.objects.get(plan=planned)
    assert text_in(amendment, "reason", "en") == "A higher target."
    assert amendment.indicators_before[0]["target"] == -0.10
    assert amendment.indicators_after == changed


def test_the_add_form_offers_only_the_managers_own_pilots(
    client: Client, other_manager: User, pilot: Pilot
) -> None:
    client.force_login(other_manager)
    response = client.post(
        reverse("admin:evaluation_evaluationplan_add"),
        {"pilot": pilot.pk, "indicators": json.dumps(_indicators()), **NO_AMENDMENTS},
    )
    assert "pilot" in _errors(response)
    assert not EvaluationPlan.objects.exists()
