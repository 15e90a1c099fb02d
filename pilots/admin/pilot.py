"""Pilots in the admin: a manager's own pilots only, phases through the one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors, services
from pilots.admin.common import csv_response
from pilots.models import (
    ConsentVersion,
    EligibilityRule,
    Enrolment,
    PhaseChange,
    Pilot,
)
from pilots.permissions import pilots_managed_by, user_manages_pilot, user_sees_every_pilot
from pilots.widgets import AreaWidget
from portal.cache import CachedPagesAdmin, Scope
from portal.http import AuthenticatedHttpRequest, as_authenticated
from portal.languages import (
    default_language_field,
    language_fields,
    texts_by_language,
    texts_from_columns,
)
from portal.translation_admin import TranslatedAdmin, TranslatedStackedInline

PHASE_CHANGE_FIELDS: list[str] = [
    "changed_at",
    "from_phase",
    "to_phase",
    "changed_by",
    "reason",
    "is_public",
    "public_note",
]
ENROLMENT_FIELDS: list[str] = [
    "user",
    "status",
    "consent_version",
    "consented_at",
    "queued_at",
    "joined_at",
]


class PilotAdminForm(forms.ModelForm[Pilot]):
    class Meta:
        model = Pilot
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what shows.
        widgets = {"area": AreaWidget}

    def clean_area(self) -> Any:
        # An emptied editor means "no area", stored as an empty object like a new pilot's.
        return self.cleaned_data.get("area") or {}


class PhaseChangeInline(admin.TabularInline[PhaseChange, Pilot]):
    model = PhaseChange
    extra = 0
    can_delete = False
    fields = (*PHASE_CHANGE_FIELDS,)
    readonly_fields = PHASE_CHANGE_FIELDS
    verbose_name_plural = gettext_lazy("Phase history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConsentVersionForm(forms.ModelForm[ConsentVersion]):
    """A new consent text, checked by the publishing service's own rule before anything is saved."""

    class Meta:
        model = ConsentVersion
        fields = language_fields("text")

    def __init__(self, *args: Any, pilot: Pilot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pilot = pilot

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The Korean text is required: without it the form has already said so.
        if self.instance.pk is None and default_language_field("text") in cleaned:
            try:
                services.consent_version_validate(
                    pilot=self.pilot, text=texts_from_columns(cleaned, "text")
                )
            except ValidationError as error:
                self.add_error(default_language_field("text"), error)
        return cleaned


class ConsentVersionFormSet(
    forms.BaseInlineFormSet[ConsentVersion, Pilot, forms.ModelForm[ConsentVersion]]
):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "pilot": self.instance}

    def clean(self) -> None:
        super().clean()
        new = [form for form in self.extra_forms if form.has_changed()]
        # Each version asks every participant to agree again; two at once would ask twice.
        if len(new) > 1:
            raise ValidationError(_("Add one new consent text at a time."))


class ConsentVersionInline(TranslatedStackedInline[ConsentVersion, Pilot]):
    """Published versions are fixed; a new text is added as a new version through the service."""

    model = ConsentVersion
    form = ConsentVersionForm
    formset = ConsentVersionFormSet
    extra = 0
    can_delete = False
    fields = ["number", "published_at", "published_by", "text"]
    readonly_fields = ["number", "published_at", "published_by"]
    verbose_name_plural = gettext_lazy(
        "Consent texts (adding a version asks every participant to agree again)"
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EligibilityRuleInline(admin.TabularInline[EligibilityRule, Pilot]):
    model = EligibilityRule
    extra = 0


# A pilot may have thousands of residents; the page lists the latest, the CSV has everyone.
ENROLMENTS_SHOWN = 50


class EnrolmentFormSet(forms.BaseInlineFormSet[Enrolment, Pilot, forms.ModelForm[Enrolment]]):
    shown = ENROLMENTS_SHOWN
    total = 0

    def get_queryset(self) -> QuerySet[Enrolment]:
        if not hasattr(self, "_latest"):
            everyone = super().get_queryset()
            self.total = everyone.count()
            self._latest = everyone.order_by("-queued_at", "-pk")[: self.shown]
        return self._latest


class EnrolmentInline(admin.TabularInline[Enrolment, Pilot]):
    """The latest residents to join or queue, with a link to the CSV of everyone."""

    model = Enrolment
    formset = EnrolmentFormSet
    template = "pilots/admin/enrolment_inline.html"
    extra = 0
    can_delete = False
    fields = (*ENROLMENT_FIELDS,)
    readonly_fields = ENROLMENT_FIELDS
    verbose_name_plural = gettext_lazy("Participants and waiting list")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrolment]:
        return (
            super()
            .get_queryset(request)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .select_related("user", "consent_version")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhaseChangeForm(forms.Form):
    to_phase = forms.ChoiceField(label=gettext_lazy("New phase"))
    reason = forms.CharField(label=gettext_lazy("Why (internal)"), widget=forms.Textarea)
    is_public = forms.BooleanField(
        label=gettext_lazy("Show on the pilot's public timeline"), required=False, initial=True
    )
    public_note = forms.CharField(
        label=gettext_lazy("Public note"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, pilot: Pilot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = services.PHASE_MOVES[pilot.phase]
        field = self.fields["to_phase"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared just above.
        field.choices = [(value, label) for value, label in Pilot.Phase.choices if value in allowed]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why (internal)"), widget=forms.Textarea)


@admin.register(Pilot)
class PilotAdmin(CachedPagesAdmin[Pilot], TranslatedAdmin[Pilot]):
    # Deleting a pilot takes its devices off it.
    cache_scopes = (Scope.PILOTS, Scope.DEVICES)
    form = PilotAdminForm
    list_display = [
        "title",
        "domain",
        "phase",
        "participants",
        "waiting",
        "answers",
        "capacity",
        "start_date",
    ]
    list_filter = ["phase", "domain", "districts"]
    search_fields = [
        *language_fields("title"),
        *language_fields("summary"),
        *language_fields("partner"),
        "slug",
    ]
    # Web addresses are made of Latin letters: the English title gives a readable one.
    prepopulated_fields = {"slug": ["title_en"]}
    filter_horizontal = ["districts", "managers"]
    date_hierarchy = "start_date"
    actions = ["advance_phase", "export_participants"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "domain", "phase", "phase_tools", "summary", "goal"]}),
        (
            gettext_lazy("Where and when"),
            {"fields": ["districts", "area", "start_date", "end_date"]},
        ),
        (gettext_lazy("Taking part"), {"fields": ["capacity", "participants_csv"]}),
        (gettext_lazy("People"), {"fields": ["partner", "managers"]}),
    ]
    inlines = [ConsentVersionInline, EligibilityRuleInline, EnrolmentInline, PhaseChangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pilot]:
        managed = pilots_managed_by(request.user).values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=managed)
            .annotate(
                participant_total=Count(
                    "enrolments",
                    filter=Q(enrolments__status=Enrolment.Status.PARTICIPATING),
                    distinct=True,
                ),
                waiting_total=Count(
                    "enrolments",
                    filter=Q(enrolments__status=Enrolment.Status.WAITING),
                    distinct=True,
                ),
                answer_total=Count("surveys__responses", distinct=True),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Phases move only through the phase service, never by editing the field.
        readonly = ["phase", "phase_tools", "participants_csv"]
        if not user_sees_every_pilot(request.user):
            readonly.append("managers")
        return readonly

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not user_manages_pilot(request.user, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not user_manages_pilot(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not user_manages_pilot(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("participants"), ordering="participant_total")
    def participants(self, pilot: Pilot) -> int:
        return pilot.participant_total  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=gettext_lazy("waiting"), ordering="waiting_total")
    def waiting(self, pilot: Pilot) -> int:
        return pilot.waiting_total  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=gettext_lazy("survey answers"), ordering="answer_total")
    def answers(self, pilot: Pilot) -> int:
        return pilot.answer_total  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=gettext_lazy("change phase"))
    def phase_tools(self, pilot: Pilot) -> str:
        if not pilot.pk or not services.PHASE_MOVES[pilot.phase]:
            return _("This phase is final.") if pilot.pk else "—"
        url = reverse("admin:pilots_pilot_phase", args=[pilot.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Change phase…"))

    @admin.display(description=gettext_lazy("participants as CSV"))
    def participants_csv(self, pilot: Pilot) -> str:
        if not pilot.pk:
            return "—"
        url = reverse("admin:pilots_pilot_participants_csv", args=[pilot.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download participants (CSV)"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pilot_id>/phase/",
                self.admin_site.admin_view(self.phase_view),
                name="pilots_pilot_phase",
            ),
            path(
                "<int:pilot_id>/participants.csv",
                self.admin_site.admin_view(self.participants_csv_view),
                name="pilots_pilot_participants_csv",
            ),
        ]
        return own + super().get_urls()

    def _managed_or_404(self, request: HttpRequest, pilot_id: int) -> Pilot:
        pilot = get_object_or_404(self.get_queryset(request), pk=pilot_id)
        if not self.has_change_permission(request, pilot):
            raise PermissionDenied
        return pilot

    def phase_view(self, request: AuthenticatedHttpRequest, pilot_id: int) -> HttpResponse:
        pilot = self._managed_or_404(request, pilot_id)
        form = PhaseChangeForm(request.POST or None, pilot=pilot)
        if request.method == "POST" and form.is_valid():
            try:
                services.pilot_change_phase(
                    pilot=pilot,
                    to_phase=form.cleaned_data["to_phase"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    is_public=form.cleaned_data["is_public"],
                    public_note=form.cleaned_data["public_note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("%(pilot)s is now %(phase)s.")
                    % {"pilot": pilot.title, "phase": pilot.get_phase_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:pilots_pilot_change", args=[pilot.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change the phase of %(pilot)s") % {"pilot": pilot.title},
            "pilot": pilot,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "pilots/admin/change_phase.html", context)

    def participants_csv_view(self, request: HttpRequest, pilot_id: int) -> HttpResponse:
        pilot = self._managed_or_404(request, pilot_id)
        return self._participants_csv(
            Pilot.objects.filter(pk=pilot.pk), f"{pilot.slug}-participants.csv"
        )

    def _participants_csv(self, pilots: QuerySet[Pilot], filename: str) -> HttpResponse:
        response, writer = csv_response(filename)
        writer.writerow(
            [
                "pilot",
                "username",
                "email",
                "status",
                "consent_version",
                "consent_current",
                "consented_at",
                "consent_contact",
                "queued_at",
                "joined_at",
            ]
        )
        for enrolment in selectors.enrolments_for_export(pilots):
            writer.writerow(
                [
                    enrolment.pilot.slug,
                    enrolment.user.username,
                    # Only residents who agreed to be contacted share their address.
                    enrolment.user.email if enrolment.consent_contact else "",
                    enrolment.status,
                    enrolment.consent_version.number if enrolment.consent_version else "",
                    "no" if selectors.enrolment_needs_consent(enrolment) else "yes",
                    enrolment.consented_at.isoformat() if enrolment.consented_at else "",
                    "yes" if enrolment.consent_contact else "no",
                    enrolment.queued_at.isoformat() if enrolment.queued_at else "",
                    enrolment.joined_at.isoformat() if enrolment.joined_at else "",
                ]
            )
        return response

    @admin.action(description=gettext_lazy("Export participants of the selected pilots (CSV)"))
    def export_participants(self, request: HttpRequest, queryset: QuerySet[Pilot]) -> HttpResponse:
        return self._participants_csv(queryset, "participants.csv")

    @admin.action(description=gettext_lazy("Move the selected pilots to their next phase"))
    def advance_phase(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[Pilot]
    ) -> HttpResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for pilot in queryset:
                try:
                    services.pilot_advance_phase(
                        pilot=pilot,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except (ValidationError, PermissionDenied) as error:
                    problem = " ".join(getattr(error, "messages", [str(error)]))
                    self.message_user(request, f"{pilot.title}: {problem}", messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(pilot)s is now %(phase)s.")
                        % {"pilot": pilot.title, "phase": pilot.get_phase_display()},
                        messages.SUCCESS,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Move pilots to their next phase"),
            "pilots": [(pilot, services.NEXT_PHASE.get(pilot.phase)) for pilot in queryset],
            "phase_labels": dict(Pilot.Phase.choices),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "pilots/admin/advance_phase.html", context)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ConsentVersion:
            super().save_formset(request, form, formset, change)
            return
        for version in formset.save(commit=False):
            if version.pk is None:
                try:
                    services.consent_version_publish(
                        pilot=form.instance,
                        text=texts_by_language(version, "text"),
                        by=as_authenticated(request).user,
                    )
                except ValidationError as error:
                    # The form checked the text; this is another manager's publication in between.
                    self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_model(self, request: HttpRequest, obj: Pilot, form: Any, change: bool) -> None:
        if change and "capacity" in form.changed_data:
            # A new capacity is set by its service in save_related, once the eligibility rules
            # edited on the same page are saved, since the residents it lets in must meet them.
            obj.capacity = form.initial.get("capacity")
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and "capacity" in form.changed_data:
            promoted = services.pilot_capacity_set(
                pilot=form.instance,
                capacity=form.cleaned_data["capacity"],
                by=as_authenticated(request).user,
            )
            if promoted:
                self.message_user(
                    request,
                    _("%(count)s residents moved from the waiting list into the pilot.")
                    % {"count": len(promoted)},
                )
