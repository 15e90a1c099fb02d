from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.languages import in_viewers_order
from portal.models import District, User


class SignUpForm(UserCreationForm[User]):
    """A citizen's new account; UserCreationForm refuses a username taken in any case."""

    email = forms.EmailField(label=_("Email"), required=True)
    home_district = forms.ModelChoiceField(
        label=_("Home district"),
        queryset=District.objects.all(),
        required=False,
        help_text=_("Some pilots are open only to residents of their districts."),
    )

    class Meta:
        model = User
        fields = ["username", "email", "home_district", "birth_date", "preferred_language"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}
        # "Minji" is refused when "minji" exists: say why, as the name typed is not the one taken.
        error_messages = {
            "username": {
                "unique": _(
                    "This username is taken. Usernames that differ only in capital letters "
                    "count as the same."
                )
            }
        }

    def __init__(self, *args: Any, birth_date_needed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district: forms.ModelChoiceField[District] = self.fields["home_district"]  # type: ignore[assignment]
        district.queryset = in_viewers_order(District.objects.all())
        birth_date = self.fields["birth_date"]
        # Asked for when the citizen signs up to join a pilot with an age limit, which needs it;
        # otherwise it can wait until they want to.
        birth_date.required = birth_date_needed
        birth_date.help_text = (
            _("The pilot you want to join has an age limit.")
            if birth_date_needed
            else _("Optional: needed only to join pilots with an age limit.")
        )

    def clean_birth_date(self) -> object:
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise forms.ValidationError(_("A birth date cannot be in the future."))
        return birth_date

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email


class LocalisedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the e-mail in the language the person chose."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "preferred_language", None)
        with translation.override(language or translation.get_language()):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class OneTimeCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("The 6 digits your authenticator app shows, or one of your backup codes."),
    )
