"""Citizens' questions about pilots, answered and published by the pilot's managers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from pilots import services
from pilots.models import PilotQuestion
from pilots.permissions import pilots_managed_by, user_manages_pilot
from portal.http import as_authenticated


class PilotQuestionForm(forms.ModelForm[PilotQuestion]):
    class Meta:
        model = PilotQuestion
        fields = ["answer", "is_published"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            services.pilot_question_answer_validate(
                answer=cleaned.get("answer") or "", publish=bool(cleaned.get("is_published"))
            )
        except ValidationError as error:
            self.add_error("answer", error)
        return cleaned


@admin.register(PilotQuestion)
class PilotQuestionAdmin(admin.ModelAdmin[PilotQuestion]):
    form = PilotQuestionForm
    list_display = ["text", "pilot", "asked_at", "is_published", "answered_at"]
    list_filter = ["is_published"]
    search_fields = ["text", "answer", "pilot__title_ko", "pilot__title_en"]
    list_select_related = ["pilot"]
    readonly_fields = ["pilot", "text", "asked_at", "answered_by", "answered_at"]
    fields = ["pilot", "text", "asked_at", "answer", "is_published", "answered_by", "answered_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PilotQuestion]:
        return (
            super()
            .get_queryset(request)
            .filter(pilot__in=pilots_managed_by(request.user).values("pk"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not user_manages_pilot(request.user, obj.pilot):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PilotQuestion, form: Any, change: bool) -> None:
        services.pilot_question_answer(
            question=obj,
            by=as_authenticated(request).user,
            answer=form.cleaned_data["answer"],
            publish=form.cleaned_data["is_published"],
        )
