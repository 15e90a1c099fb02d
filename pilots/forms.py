from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.models import Pilot
from pilots.selectors import PilotFilters
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

    def filters(self) -> PilotFilters:
        district = self.cleaned_data.get("district")
        return PilotFilters(
            district=district.slug if district else "",
            domain=self.cleaned_data.get("domain") or "",
            phase=self.cleaned_data.get("phase") or "",
            text=(self.cleaned_data.get("q") or "").strip(),
        )
