from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pilots import selectors
from pilots.models import (
    ConsentVersion,
    EligibilityRule,
    Enrolment,
    PhaseChange,
    Pilot,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from portal import rest


class PilotSerializer(serializers.ModelSerializer[Pilot]):
    districts: serializers.ManyRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", many=True, read_only=True
    )
    domain_display = serializers.CharField(source="get_domain_display", read_only=True)
    phase_display = serializers.CharField(source="get_phase_display", read_only=True)
    device_count = serializers.IntegerField(read_only=True)
    participant_count = serializers.IntegerField(read_only=True)
    waiting_count = serializers.IntegerField(read_only=True)
    open_to_join = serializers.SerializerMethodField(
        help_text="Recruiting or running, with a consent text to agree to."
    )

    class Meta:
        model = Pilot
        fields = [
            "slug",
            "title",
            "domain",
            "domain_display",
            "phase",
            "phase_display",
            "districts",
            "start_date",
            "end_date",
            "summary",
            "partner",
            "device_count",
            "goal",
            "capacity",
            "participant_count",
            "waiting_count",
            "open_to_join",
        ]

    def get_open_to_join(self, pilot: Pilot) -> bool:
        return pilot.is_open_to_join and bool(getattr(pilot, "has_consent", False))


class ConsentSerializer(serializers.ModelSerializer[ConsentVersion]):
    version = serializers.IntegerField(source="number", read_only=True)

    class Meta:
        model = ConsentVersion
        fields = ["version", "text", "published_at"]


class EligibilityRuleSerializer(serializers.ModelSerializer[EligibilityRule]):
    description = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = EligibilityRule
        fields = ["kind", "value", "description"]


class PhaseChangeSerializer(serializers.ModelSerializer[PhaseChange]):
    # Plain strings: the phase values are documented once, on the pilot's `phase`.
    from_phase = serializers.CharField(read_only=True, help_text="A pilot phase value.")
    to_phase = serializers.CharField(read_only=True, help_text="A pilot phase value.")

    class Meta:
        model = PhaseChange
        fields = ["from_phase", "to_phase", "changed_at", "public_note"]


class PilotDetailSerializer(PilotSerializer):
    consent = serializers.SerializerMethodField()
    eligibility_rules = EligibilityRuleSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta(PilotSerializer.Meta):
        fields = [*PilotSerializer.Meta.fields, "area", "consent", "eligibility_rules", "timeline"]

    @extend_schema_field(ConsentSerializer(allow_null=True))
    def get_consent(self, pilot: Pilot) -> dict[str, Any] | None:
        current = selectors.current_consent(pilot)
        return ConsentSerializer(current).data if current else None

    @extend_schema_field(PhaseChangeSerializer(many=True))
    def get_timeline(self, pilot: Pilot) -> list[dict[str, Any]]:
        return PhaseChangeSerializer(selectors.public_timeline(pilot), many=True).data  # type: ignore[return-value]


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    pilot: serializers.SlugRelatedField[Pilot] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    consent_version = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()
    needs_consent = serializers.SerializerMethodField()
    waiting_position = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "pilot",
            "status",
            "active",
            "needs_consent",
            "waiting_position",
            "consent_version",
            "consented_at",
            "consent_data_use",
            "consent_contact",
            "queued_at",
            "joined_at",
            "withdrawn_at",
        ]

    def get_consent_version(self, enrolment: Enrolment) -> int | None:
        return enrolment.consent_version.number if enrolment.consent_version else None

    def get_active(self, enrolment: Enrolment) -> bool:
        return selectors.enrolment_is_active(enrolment)

    def get_needs_consent(self, enrolment: Enrolment) -> bool:
        return selectors.enrolment_needs_consent(enrolment)

    def get_waiting_position(self, enrolment: Enrolment) -> int | None:
        return selectors.waiting_position(enrolment)


@extend_schema_field({"type": "boolean", "enum": [True]})
class AgreementField(rest.BooleanField):
    """A box that must be ticked: the service refuses anything but agreement."""


class ConsentInputSerializer(rest.InputSerializer):
    consent_version = serializers.IntegerField(
        help_text="The version number of the consent text the resident read. It must be the "
        "pilot's current one (the pilot's `consent.version`): a text changed since is refused "
        "with `consent_outdated`, so that the resident reads it again."
    )
    consent_data_use = AgreementField(
        help_text="Agrees to the use of their data; required (true) to take part."
    )
    consent_contact = AgreementField(
        help_text="Agrees to be contacted about the pilot; required (true) to take part."
    )


class JoinInputSerializer(ConsentInputSerializer):
    pilot = serializers.SlugField(help_text="The slug of the pilot to join.")


class WithdrawInputSerializer(rest.InputSerializer):
    delete_feedback = rest.BooleanField(
        default=False, help_text="Also delete their survey answers and questions."
    )


class SurveyQuestionSerializer(serializers.ModelSerializer[SurveyQuestion]):
    choices = serializers.ListField(source="choice_list", child=serializers.CharField())

    class Meta:
        model = SurveyQuestion
        fields = [
            "id",
            "position",
            "kind",
            "prompt",
            "required",
            "choices",
            "scale_min",
            "scale_max",
        ]


class SurveySerializer(serializers.ModelSerializer[Survey]):
    pilot: serializers.SlugRelatedField[Pilot] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    questions = SurveyQuestionSerializer(many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    answered = serializers.BooleanField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "pilot",
            "title",
            "introduction",
            "phase",
            "is_open",
            "answered",
            "questions",
        ]


class AnswerSerializer(rest.InputSerializer):
    question = serializers.IntegerField()
    value = serializers.JSONField(
        allow_null=True, help_text="A number for ratings, the choice's text, or free text."
    )


class AnswersInputSerializer(rest.InputSerializer):
    answers = AnswerSerializer(
        many=True,
        help_text="One answer per question, each question at most once. Every required "
        "question of the survey must be answered, with a value its kind takes (a number on "
        "the scale, one of the choices, text), and only questions of this survey (see "
        "GET /api/me/surveys/{id}/); otherwise the answer is 400 with the problems by question.",
    )

    def validate_answers(self, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [answer["question"] for answer in answers]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each question may be answered once."))
        return answers


class SurveyResponseSerializer(serializers.ModelSerializer[SurveyResponse]):
    survey: serializers.PrimaryKeyRelatedField[Survey] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    answers = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = ["survey", "submitted_at", "updated_at", "answers"]

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, response: SurveyResponse) -> list[dict[str, Any]]:
        return [
            {"question": answer.question_id, "value": answer.shown_value}
            for answer in response.answers.select_related("question")
        ]
