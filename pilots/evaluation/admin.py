"""Evaluation in the admin: plans (amended with a reason once running), scorecards, decisions."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms.fields import InvalidJSONInput
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots.evaluation import selectors, services
from pilots.evaluation.errors import EvaluationErrorCode
from pilots.evaluation.labels import labelled
from pilots.evaluation.models import (
    Decision,
    EvaluationPlan,
    PlanAmendment,
    Recommendation,
    Scorecard,
)
from pilots.evaluation.permissions import user_manages_evaluation
from pilots.models import Pilot
from pilots.permissions import pilots_managed_by
from portal.http import as_authenticated
from portal.models import District, User


class IndicatorsField(forms.JSONField):
    """The plan's indicators as JSON, indented one indicator field a line, to be edited by hand."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


# Where the form shows each rule the plan's service enforces.
FIELD_OF_ERROR: dict[str, str | None] = {
    EvaluationErrorCode.PLAN_INVALID: "indicators",
    EvaluationErrorCode.PLAN_UNCHANGED: "indicators",
    EvaluationErrorCode.AMENDMENT_REASON_MISSING: "reason_ko",
}


class EvaluationPlanForm(forms.ModelForm[EvaluationPlan]):
    reason_ko = forms.CharField(
        label=gettext_lazy("Reason for the amendment (Korean)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Needed once the pilot runs: the change is kept and shown publicly."
        ),
    )
    reason_en = forms.CharField(
        label=gettext_lazy("Reason for the amendment (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = EvaluationPlan
        fields = ["pilot", "indicators"]
        field_classes = {"indicators": IndicatorsField}
        widgets = {
            "indicators": forms.Textarea(
                attrs={"rows": 24, "class": "plan-editor", "spellcheck": "false"}
            )
        }
        help_texts = {
            "indicators": gettext_lazy(
                "A JSON list of indicators, each with “code”, “kind”, “weight” and “target”, "
                "and the fields of its kind: sensor_effect (metric, better, pilot_devices, "
                "control_devices or control_districts, baseline_start, baseline_end, "
                "period_start, period_end), satisfaction (question), participation, reports, "
                "cost (budget, effect)."
            )
        }

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and "pilot" in self.fields:
            pilot_field = self.fields["pilot"]
            if isinstance(pilot_field, forms.ModelChoiceField):
                pilot_field.queryset = pilots_managed_by(user)

    def clean(self) -> dict[str, Any]:
        """The plan's rules, checked by its service and shown beside the field they concern."""
        cleaned = super().clean() or {}
        pilot = cleaned.get("pilot") if "pilot" in self.fields else self.instance.pilot
        if pilot is None or "indicators" not in cleaned:
            return cleaned  # the field's own error is already shown
        try:
            services.evaluation_plan_check(
                pilot=pilot,
                indicators=cleaned["indicators"],
                reason_ko=cleaned.get("reason_ko", ""),
                reason_en=cleaned.get("reason_en", ""),
            )
        except ValidationError as error:
            self.add_error(FIELD_OF_ERROR.get(str(error.code)), error)
        return cleaned


class PlanAmendmentInline(admin.TabularInline[PlanAmendment, EvaluationPlan]):
    model = PlanAmendment
    extra = 0
    can_delete = False
    fields = ["version", "made_at", "made_by", "reason_ko", "reason_en"]
    readonly_fields = ["version", "made_at", "made_by", "reason_ko", "reason_en"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EvaluationPlan)
class EvaluationPlanAdmin(admin.ModelAdmin[EvaluationPlan]):
    form = EvaluationPlanForm
    list_display = ["pilot", "version", "locked", "updated_at"]

    class Media:
        css = {"all": ["evaluation/css/plan-editor.css"]}

    inlines = [PlanAmendmentInline]
    actions = ["score_now"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class WithUser(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, user=user, **inner)

        return WithUser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["pilot"] if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvaluationPlan]:
        return (
            super()
            .get_queryset(request)
            .filter(pilot__in=pilots_managed_by(request.user))
            .select_related("pilot")
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not user_manages_evaluation(request.user, obj.pilot):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A registered plan is evidence: it is amended, never deleted.
        return False

    @admin.display(description=gettext_lazy("locked"), boolean=True)
    def locked(self, plan: EvaluationPlan) -> bool:
        return services.plan_is_locked(plan.pilot)

    def save_model(
        self, request: HttpRequest, obj: EvaluationPlan, form: Any, change: bool
    ) -> None:
        # Saving goes through the service, which decides between a rewrite and an amendment;
        # the form has already shown any rule the plan breaks beside its field.
        saved = services.evaluation_plan_save(
            pilot=obj.pilot,
            indicators=form.cleaned_data["indicators"],
            by=as_authenticated(request).user,
            reason_ko=form.cleaned_data.get("reason_ko", ""),
            reason_en=form.cleaned_data.get("reason_en", ""),
        )
        obj.pk = saved.pk

    @admin.action(description=gettext_lazy("Score the selected pilots now"))
    def score_now(self, request: HttpRequest, queryset: QuerySet[EvaluationPlan]) -> None:
        pilots = [
            plan.pilot for plan in queryset if user_manages_evaluation(request.user, plan.pilot)
        ]
        count = services.pilots_score(pilots=pilots)
        self.message_user(
            request, _("%(count)s pilots scored.") % {"count": count}, messages.SUCCESS
        )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Decision.Outcome.choices)
    reason_ko = forms.CharField(
        label=gettext_lazy("Reason (Korean)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason_en = forms.CharField(
        label=gettext_lazy("Reason (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_districts: forms.ModelMultipleChoiceField[District] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Next districts (for a scale-up)"),
        queryset=District.objects.all(),
        required=False,
    )


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin[Scorecard]):
    list_display = ["pilot", "computed_at", "recommendation", "score", "decide_link"]
    list_filter = ["recommendation"]
    date_hierarchy = "computed_at"
    fields = [
        "pilot",
        "computed_at",
        "plan_version",
        "recommendation",
        "score",
        "explanation_ko",
        "explanation_en",
        "indicator_table",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scorecard]:
        return (
            super()
            .get_queryset(request)
            .filter(pilot__in=pilots_managed_by(request.user))
            .select_related("pilot")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("indicators"))
    def indicator_table(self, scorecard: Scorecard) -> str:
        from django.template.loader import render_to_string

        return render_to_string(
            "evaluation/includes/indicator_table.html",
            {"scorecard": scorecard, "rows": labelled(scorecard.indicators)},
        )

    @admin.display(description=gettext_lazy("decision"))
    def decide_link(self, scorecard: Scorecard) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:evaluation_scorecard_decide", args=[scorecard.pk]),
            _("Decide"),
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:scorecard_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="evaluation_scorecard_decide",
            )
        ]
        return own + super().get_urls()

    def decide_view(self, request: HttpRequest, scorecard_id: int) -> HttpResponse:
        scorecard = get_object_or_404(self.get_queryset(request), pk=scorecard_id)
        pilot: Pilot = scorecard.pilot
        if not (
            user_manages_evaluation(request.user, pilot)
            and request.user.has_perm("evaluation.add_decision")
        ):
            raise PermissionDenied
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.decision_record(
                    pilot=pilot,
                    outcome=form.cleaned_data["outcome"],
                    by=as_authenticated(request).user,
                    reason_ko=form.cleaned_data["reason_ko"],
                    reason_en=form.cleaned_data["reason_en"],
                    next_districts=form.cleaned_data["next_districts"],
                    scorecard=scorecard,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Decision recorded: %(pilot)s is now %(phase)s.")
                    % {"pilot": pilot.title, "phase": pilot.get_phase_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:evaluation_decision_changelist"))
        works = scorecard.recommendation == Recommendation.SCALE_UP
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide the future of %(pilot)s") % {"pilot": pilot.title},
            "pilot": pilot,
            "scorecard": scorecard,
            "rows": labelled(scorecard.indicators),
            "form": form,
            # Districts to go to next are asked of a pilot that works, not of every pilot.
            "works": works,
            "suggestions": selectors.where_next(pilot, now=timezone.now()) if works else [],
            # How this pilot's evidence compares with the other pilots of its domain.
            "ranking": selectors.domain_ranking(pilot.domain),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "evaluation/admin/decide.html", context)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    list_display = ["pilot", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    fields = [
        "pilot",
        "outcome",
        "reason_ko",
        "reason_en",
        "next_districts",
        "decided_by",
        "decided_at",
        "scorecard",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Decision]:
        return (
            super()
            .get_queryset(request)
            .filter(pilot__in=pilots_managed_by(request.user))
            .select_related("pilot", "decided_by")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Decisions are made from a scorecard, through the decision form.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
