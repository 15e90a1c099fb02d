"""What the evaluation API reads and writes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pilots.evaluation.models import EvaluationPlan, PlanAmendment, Recommendation, Scorecard
from pilots.evaluation.plan import Kind
from pilots.evaluation.services import plan_is_locked
from portal import rest


class IndicatorResultSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.ALL)
    weight = serializers.FloatField()
    estimate = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="Lower end of the 95% interval.")
    ci_high = serializers.FloatField(allow_null=True, help_text="Upper end of the 95% interval.")
    relative_estimate = serializers.FloatField(
        allow_null=True,
        help_text="A sensor effect as a fraction of the counterfactual mean (-0.1: 10% lower).",
    )
    target = serializers.FloatField()
    target_met = serializers.BooleanField()
    enough_data = serializers.BooleanField()
    status = serializers.CharField()
    details = serializers.DictField(help_text="Devices, days, answers: what the estimate rests on.")


class ScorecardSerializer(serializers.ModelSerializer[Scorecard]):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    explanation = serializers.CharField(help_text="In the language of the request.")
    indicators = IndicatorResultSerializer(many=True)

    class Meta:
        model = Scorecard
        fields = [
            "computed_at",
            "recommendation",
            "score",
            "explanation",
            "explanation_ko",
            "explanation_en",
            "plan_version",
            "indicators",
        ]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer[PlanAmendment]):
    class Meta:
        model = PlanAmendment
        fields = [
            "version",
            "reason_ko",
            "reason_en",
            "made_at",
            "indicators_before",
            "indicators_after",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer[EvaluationPlan]):
    locked = serializers.SerializerMethodField(
        help_text="Whether the pilot runs, so that a change is an amendment with a reason."
    )
    amendments = AmendmentSerializer(many=True, read_only=True)

    class Meta:
        model = EvaluationPlan
        fields = ["indicators", "version", "locked", "updated_at", "amendments"]
        read_only_fields = fields

    def get_locked(self, plan: EvaluationPlan) -> bool:
        return plan_is_locked(plan.pilot)


class PlanInputSerializer(rest.InputSerializer):
    indicators = serializers.ListField(
        child=serializers.DictField(),
        help_text="Indicators, each with code, kind, weight, target and the fields of its kind.",
    )
    reason_ko = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    reason_en = serializers.CharField(required=False, allow_blank=True, max_length=2000)
