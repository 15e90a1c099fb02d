"""Forms of the report pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.models import Pilot
from portal.languages import in_viewers_order
from portal.models import District, User
from portal.reports.models import ALERT_RADIUS_MAX, ALERT_RADIUS_MIN, Category, Report
from portal.reports.photos import MAX_PHOTOS
from portal.reports.selectors import ReportFilters
from sensors.models import Device
from sensors.selectors import visible_device


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files from one input; each is judged by the photo service, not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most three photos."), code="too_many_photos")
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ReportForm(forms.Form):
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("What is the problem?"),
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("Choose a category"),
    )
    description = forms.CharField(
        label=_("Describe it"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    address = forms.CharField(
        label=_("Or type an address"),
        required=False,
        max_length=250,
        # There is no street-level geocoder: say plainly what a typed address can do.
        help_text=_(
            "Street addresses cannot be looked up here: an address only tells us its district "
            "(e.g. 강남구 테헤란로 152 is in Gangnam-gu). The report is then placed at the "
            "district's centre, so please also tap the map where the problem is."
        ),
    )
    photos = MultiplePhotoField(label=_("Photos (up to three, 10 MB each)"), required=False)
    pilot: forms.ModelChoiceField[Pilot] = forms.ModelChoiceField(
        label=_("Is it about a pilot?"),
        queryset=Pilot.objects.exclude(phase=Pilot.Phase.STOPPED).order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label=_("No"),
    )
    show_name = forms.BooleanField(label=_("Show my name with the report"), required=False)
    # A device's number, carried from its page ("Report a problem with this device").
    device = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        pilot: forms.ModelChoiceField[Pilot] = self.fields["pilot"]  # type: ignore[assignment]
        pilot.queryset = in_viewers_order(Pilot.objects.exclude(phase=Pilot.Phase.STOPPED), "title")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The device the report is about: only one the citizen may see, as on its own page. The
        # field is hidden, so a refusal is said above the form, not beside the field.
        number: int | None = cleaned.get("device")
        if number is not None:
            device: Device | None = visible_device(self.user, number)
            if device is None:
                raise forms.ValidationError(_("No device has this number."), code="device_unknown")
            cleaned["device"] = device
        return cleaned


class ReportFilterForm(forms.Form):
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Report.Status.choices], required=False
    )
    district: forms.ModelChoiceField[District] = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All districts"),
    )
    pilot: forms.ModelChoiceField[Pilot] = forms.ModelChoiceField(
        label=_("Pilot"),
        queryset=Pilot.objects.order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label=_("All pilots"),
    )
    overdue = forms.BooleanField(
        label=_("Only overdue"),
        required=False,
        # The map sends this form's values to the API, where a boolean is the word `true`;
        # a checkbox says `on` unless told otherwise.
        widget=forms.CheckboxInput(attrs={"value": "true"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # In the order of the viewer's language, which is the request's, not the import's.
        district: forms.ModelChoiceField[District] = self.fields["district"]  # type: ignore[assignment]
        district.queryset = in_viewers_order(District.objects.all())
        pilot: forms.ModelChoiceField[Pilot] = self.fields["pilot"]  # type: ignore[assignment]
        pilot.queryset = in_viewers_order(Pilot.objects.all(), "title")

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            category=data["category"].code if data.get("category") else "",
            status=data.get("status") or "",
            district=data["district"].slug if data.get("district") else "",
            pilot=data["pilot"].slug if data.get("pilot") else "",
            overdue=bool(data.get("overdue")),
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not fixed?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AreaAlertForm(forms.Form):
    district: forms.ModelChoiceField[District] = forms.ModelChoiceField(
        label=_("A district"),
        queryset=District.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("— or a circle on the map —"),
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    radius_m = forms.TypedChoiceField(
        label=_("Radius"),
        coerce=int,
        required=False,
        choices=[(200, "200 m"), (500, "500 m"), (1000, "1 km"), (2000, "2 km"), (3000, "3 km")],
        initial=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district: forms.ModelChoiceField[District] = self.fields["district"]  # type: ignore[assignment]
        district.queryset = in_viewers_order(District.objects.all())

    def clean_radius_m(self) -> int:
        value = self.cleaned_data.get("radius_m") or 500
        return max(ALERT_RADIUS_MIN, min(ALERT_RADIUS_MAX, int(value)))
