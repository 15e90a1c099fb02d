from __future__ import annotations

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from portal.models import District, User


class SignUpForm(BaseUserCreationForm[User]):
    email = forms.EmailField(label=_("Email"), required=True)
    home_district = forms.ModelChoiceField(
        label=_("Home district"),
        queryset=District.objects.all(),
        required=False,
        help_text=_("Some pilots are open only to residents of their districts."),
    )

    class Meta:
        model = User
        fields = ["username", "email", "home_district", "preferred_language"]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email
