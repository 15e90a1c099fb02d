"""Forms of the spaces pages; the services check the rules, the forms only the shapes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.models import Pilot
from portal.languages import in_viewers_order
from portal.models import District
from portal.spaces.models import Application, InnovationDistrict, Organisation, Space
from portal.spaces.selectors import SpaceFilters
from portal.spaces.validators import registration_number_normalise


class SpaceFilterForm(forms.Form):
    innovation_district: forms.ModelChoiceField[InnovationDistrict] = forms.ModelChoiceField(
        label=_("Innovation district"),
        queryset=InnovationDistrict.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Space.Kind.choices], required=False
    )
    # "Seats", not "People": the project's catalogue gives "People" the sense of those concerned.
    people = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, required=False)
    available_on = forms.DateField(
        label=_("Available on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    free_only = forms.BooleanField(label=_("Free only"), required=False)

    def filters(self) -> SpaceFilters:
        data = self.cleaned_data
        return SpaceFilters(
            innovation_district=data.get("innovation_district"),
            kind=data.get("kind") or "",
            free_only=bool(data.get("free_only")),
            people=data.get("people"),
            available_on=data.get("available_on"),
        )


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "registration_number", "sector", "team_size", "founded_on", "website"]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service normalises and checks the number; the field would refuse "123-45-67890".
        self.fields["registration_number"] = forms.CharField(
            label=self.fields["registration_number"].label,
            max_length=14,
            help_text=self.fields["registration_number"].help_text,
        )
        self.fields["website"] = forms.URLField(
            label=self.fields["website"].label, required=False, assume_scheme="https"
        )

    def clean_registration_number(self) -> str:
        return registration_number_normalise(self.cleaned_data["registration_number"])

    def validate_unique(self) -> None:
        # The service says when the number is taken, in its own words.
        return


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class MemberForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)


class ApplicationForm(forms.ModelForm[Application]):
    class Meta:
        model = Application
        fields = ["spaces", "move_in", "duration_months", "team_size", "pitch", "pilot_plan"]
        widgets = {
            "spaces": forms.CheckboxSelectMultiple,
            "move_in": forms.DateInput(attrs={"type": "date"}),
            "pitch": forms.Textarea(attrs={"rows": 6}),
            "pilot_plan": forms.Textarea(attrs={"rows": 4}),
        }

    attachment = forms.FileField(
        label=_("Add a PDF attachment"),
        required=False,
        help_text=_("PDF only, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spaces: forms.ModelMultipleChoiceField[Space] = self.fields["spaces"]  # type: ignore[assignment]
        spaces.queryset = self.instance.call.spaces.select_related("innovation_district")


class ProposePilotForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=2000, widget=forms.Textarea)
    domain = forms.ChoiceField(label=_("Domain"), choices=Pilot.Domain.choices)
    districts: forms.ModelMultipleChoiceField[District] = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.all(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts: forms.ModelMultipleChoiceField[District] = self.fields["districts"]  # type: ignore[assignment]
        districts.queryset = in_viewers_order(District.objects.all())
