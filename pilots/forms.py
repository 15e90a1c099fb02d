from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.models import Pilot, SurveyQuestion
from pilots.selectors import PilotFilters
from portal.languages import in_viewers_order, marked
from portal.models import District


class PilotFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All districts"),
    )
    domain = forms.ChoiceField(
        label=_("Domain"), choices=[("", _("All domains")), *Pilot.Domain.choices], required=False
    )
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[("", _("All phases")), *Pilot.Phase.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district: forms.ModelChoiceField[District] = self.fields["district"]  # type: ignore[assignment]
        district.queryset = in_viewers_order(District.objects.all())

    def filters(self) -> PilotFilters:
        district = self.cleaned_data.get("district")
        return PilotFilters(
            district=district.slug if district else "",
            domain=self.cleaned_data.get("domain") or "",
            phase=self.cleaned_data.get("phase") or "",
            text=(self.cleaned_data.get("q") or "").strip(),
        )


class ConsentForm(forms.Form):
    """The resident's explicit agreement to one version of a pilot's consent text."""

    consent_version = forms.IntegerField(widget=forms.HiddenInput)
    consent_data_use = forms.BooleanField(
        label=_("I agree that the data this pilot collects about me is used as described above."),
        required=False,
    )
    consent_contact = forms.BooleanField(
        label=_("I agree to be contacted about this pilot (surveys, changes, results)."),
        required=False,
    )


class WithdrawForm(forms.Form):
    delete_feedback = forms.BooleanField(
        label=_("Also delete my survey answers and questions about this pilot."), required=False
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SurveyForm(forms.Form):
    """One field per question of a survey, named q<id>; the service checks the answers."""

    def __init__(
        self,
        *args: Any,
        questions: list[SurveyQuestion],
        initial_answers: dict[int, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        initial_answers = initial_answers or {}
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            label = marked(question, "prompt")
            field: forms.Field
            if question.kind == SurveyQuestion.Kind.RATING:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(str(step), str(step)) for step in question.scale],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    help_text=_("%(low)s = lowest, %(high)s = highest")
                    % {"low": question.scale_min, "high": question.scale_max},
                )
            elif question.kind == SurveyQuestion.Kind.CHOICE:
                field = forms.ChoiceField(
                    label=label,
                    # The value is the stored choice, so answers in either language count together.
                    choices=question.choice_options,
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=label, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
                )
            # The service checks what must be answered; the page marks what need not be.
            field.required = False
            field.optional = not question.required  # type: ignore[union-attr]
            self.fields[name] = field
            if question.pk in initial_answers:
                self.initial[name] = initial_answers[question.pk]

    def answers(self) -> dict[int, Any]:
        return {
            question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions
        }
