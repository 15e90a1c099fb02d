"""Forms of My living lab."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.languages import in_viewers_order
from portal.models import District, User
from portal.notifications.registry import kind_choices


class ProfileForm(forms.ModelForm[User]):
    """What eligibility rules look at: where the resident lives and how old they are."""

    class Meta:
        model = User
        fields = ["home_district", "birth_date"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district: forms.ModelChoiceField[District] = self.fields["home_district"]  # type: ignore[assignment]
        district.queryset = in_viewers_order(District.objects.all())

    def clean_birth_date(self) -> object:
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("A birth date cannot be in the future."))
        return birth_date


class PreferencesForm(forms.Form):
    """Which notices reach the inbox, and which of those come by e-mail too."""

    receive = forms.MultipleChoiceField(
        label=gettext_lazy("Tell me in my inbox when"),
        choices=kind_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.MultipleChoiceField(
        label=gettext_lazy("Also send me an e-mail when"),
        help_text=gettext_lazy("An e-mail is sent only for what you are told in your inbox."),
        choices=kind_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(gettext_lazy("That is not your password."))
        return password
