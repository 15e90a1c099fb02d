"""“My living lab”: a resident's pilots, surveys, reports, notices and personal data."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pilots import selectors as pilot_selectors
from pilots.models import Notification
from pilots.notifications import notification_preferences_set, notifications_mark_read
from portal import privacy
from portal.models import User


class ProfileForm(forms.ModelForm[User]):
    """What eligibility rules look at: where the resident lives and how old they are."""

    class Meta:
        model = User
        fields = ["home_district", "birth_date"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def clean_birth_date(self) -> object:
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("A birth date cannot be in the future."))
        return birth_date


class PreferencesForm(forms.Form):
    receive = forms.MultipleChoiceField(
        label=gettext_lazy("Tell me (in my inbox and by email) when"),
        choices=Notification.Kind.choices,
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


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it.
    return user


@login_required
def my_living_lab(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    muted = pilot_selectors.muted_kinds(user)
    enrolments = list(pilot_selectors.my_enrolments(user))
    for enrolment in enrolments:
        enrolment.needs_consent = (  # type: ignore[attr-defined]
            enrolment.consent_version_id != enrolment.current_consent_id  # type: ignore[attr-defined]
        )
    context = {
        "enrolments": enrolments,
        "surveys": pilot_selectors.surveys_to_answer(user),
        "reports": user.reports.select_related("district")[:20],
        "notifications": pilot_selectors.inbox(user)[:20],
        "unread_count": pilot_selectors.inbox(user).filter(read_at__isnull=True).count(),
        "profile_form": ProfileForm(instance=user),
        "preferences_form": PreferencesForm(
            initial={"receive": [kind for kind in Notification.Kind.values if kind not in muted]}
        ),
    }
    return render(request, "portal/my_living_lab.html", context)


@login_required
@require_POST
def my_profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST, instance=_user(request))
    if form.is_valid():
        form.save()
        messages.success(request, _("Your details are saved."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect("my-living-lab")


@login_required
@require_POST
def my_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if form.is_valid():
        wanted = set(form.cleaned_data["receive"])
        notification_preferences_set(
            user=_user(request),
            muted_kinds=[kind for kind in Notification.Kind.values if kind not in wanted],
        )
        messages.success(request, _("Your notification choices are saved."))
    else:
        messages.error(request, _("Those notification choices were not understood."))
    return redirect("my-living-lab")


@login_required
@require_POST
def my_notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=_user(request))
    return redirect("my-living-lab")


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    data = privacy.user_export_data(user=_user(request))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-living-lab-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_account_delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        privacy.user_delete_account(user=user)
        logout(request)
        messages.success(request, _("Your account and personal data have been deleted."))
        return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "portal/my_account_delete.html", {"form": form}, status=status)
