"""The survey builder and survey results in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors, services
from pilots.admin.common import csv_response
from pilots.models import Survey, SurveyQuestion
from pilots.permissions import pilots_managed_by, user_manages_pilot
from portal.http import as_authenticated
from portal.translation_admin import TranslatedAdmin, TranslatedStackedInline


class SurveyQuestionForm(forms.ModelForm[SurveyQuestion]):
    """A question in the survey builder, under the services' rule of what answers fix.

    The fields the rule fixes show disabled once the survey has answers; the rule itself is
    asked again on saving, since the first answer may come in while the page is open.
    """

    def __init__(self, *args: Any, answered: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if answered and self.instance.pk is not None:
            for name in services.QUESTION_FIXED_ONCE_ANSWERED:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = gettext_lazy(
                        "Fixed once the survey has answers, so the results keep every answer."
                    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            services.survey_question_validate(question=self.instance, values=cleaned)
        except ValidationError as error:
            # The error names its fields, so each message shows next to the field it is about.
            self.add_error(None, error)
        return cleaned


class SurveyQuestionFormSet(
    forms.BaseInlineFormSet[SurveyQuestion, Survey, forms.ModelForm[SurveyQuestion]]
):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered = selectors.survey_is_answered(self.instance)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "answered": self.answered}


class SurveyQuestionInline(TranslatedStackedInline[SurveyQuestion, Survey]):
    """Questions stay editable; what their answers depend on is fixed once anyone answered."""

    model = SurveyQuestion
    form = SurveyQuestionForm
    formset = SurveyQuestionFormSet
    extra = 1
    fields = [("position", "kind", "required"), "prompt", "choices", ("scale_min", "scale_max")]


class SurveyAdminForm(forms.ModelForm[Survey]):
    class Meta:
        model = Survey
        fields = ["pilot", "title", "introduction", "phase"]


@admin.register(Survey)
class SurveyAdmin(TranslatedAdmin[Survey]):
    form = SurveyAdminForm
    list_display = [
        "title",
        "pilot",
        "phase",
        "is_open_now",
        "question_total",
        "response_total",
        "results_link",
    ]
    list_filter = ["phase"]
    search_fields = ["title_ko", "title_en", "pilot__title_ko", "pilot__title_en"]
    list_select_related = ["pilot"]
    inlines = [SurveyQuestionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survey]:
        return (
            super()
            .get_queryset(request)
            .filter(pilot__in=pilots_managed_by(request.user).values("pk"))
            .annotate(
                questions_n=Count("questions", distinct=True),
                responses_n=Count("responses", distinct=True),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Answers belong to the pilot's participants; they cannot move to another pilot.
        if obj is not None and selectors.survey_is_answered(obj):
            return [*services.SURVEY_FIXED_ONCE_ANSWERED, "announced_at"]
        return ["announced_at"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "pilot":
            kwargs["queryset"] = pilots_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _manages(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or user_manages_pilot(request.user, obj.pilot)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj) and super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("open now"), boolean=True)
    def is_open_now(self, survey: Survey) -> bool:
        return survey.is_open

    @admin.display(description=gettext_lazy("questions"), ordering="questions_n")
    def question_total(self, survey: Survey) -> int:
        return survey.questions_n  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=gettext_lazy("answers"), ordering="responses_n")
    def response_total(self, survey: Survey) -> int:
        return survey.responses_n  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=gettext_lazy("results"))
    def results_link(self, survey: Survey) -> str:
        url = reverse("admin:pilots_survey_results", args=[survey.pk])
        return format_html('<a href="{}">{}</a>', url, _("Results"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:survey_id>/results/",
                self.admin_site.admin_view(self.results_view),
                name="pilots_survey_results",
            ),
            path(
                "<int:survey_id>/results.csv",
                self.admin_site.admin_view(self.results_csv_view),
                name="pilots_survey_results_csv",
            ),
        ]
        return own + super().get_urls()

    def _survey_or_404(self, request: HttpRequest, survey_id: int) -> Survey:
        survey = get_object_or_404(self.get_queryset(request).select_related("pilot"), pk=survey_id)
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        return survey

    def results_view(self, request: HttpRequest, survey_id: int) -> HttpResponse:
        survey = self._survey_or_404(request, survey_id)
        respondents, results = selectors.survey_results(survey)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Results of %(survey)s") % {"survey": survey.title},
            "survey": survey,
            "respondents": respondents,
            "results": results,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "pilots/admin/survey_results.html", context)

    def results_csv_view(self, request: HttpRequest, survey_id: int) -> HttpResponse:
        """One row per response, one column per question; respondents are numbered, not named."""
        survey = self._survey_or_404(request, survey_id)
        questions = list(survey.questions.all())
        response, writer = csv_response(f"survey-{survey.pk}-results.csv")
        writer.writerow(
            ["respondent", "submitted_at", "updated_at", *(q.prompt for q in questions)]
        )
        responses = survey.responses.order_by("submitted_at", "pk").prefetch_related("answers")
        for number, answered in enumerate(responses, start=1):
            by_question = {answer.question_id: answer for answer in answered.answers.all()}
            row: list[Any] = [
                number,
                answered.submitted_at.isoformat(),
                answered.updated_at.isoformat(),
            ]
            for question in questions:
                answer = by_question.get(question.pk)
                if answer is None:
                    row.append("")
                elif question.kind == SurveyQuestion.Kind.RATING:
                    row.append(answer.rating)
                elif question.kind == SurveyQuestion.Kind.CHOICE:
                    row.append(answer.choice)
                else:
                    row.append(answer.text)
            writer.writerow(row)
        return response

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Any save may open the survey: its first question, or its phase set to the pilot's own.
        if services.survey_announce(survey=form.instance, by=as_authenticated(request).user):
            self.message_user(request, _("The survey is open; its participants have been told."))
