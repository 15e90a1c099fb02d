from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

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
        fields = ["username", "email", "home_district", "preferred_language"]
        # "Minji" is refused when "minji" exists: say why, as the name typed is not the one taken.
        error_messages = {
            "username": {
                "unique": _(
                    "This username is taken. Usernames that differ only in capital letters "
                    "count as the same."
                )
            }
        }

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email
