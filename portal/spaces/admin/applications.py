"""Applications in the admin: what reviewers read and managers decide on.

Accepting goes through a page of its own, as deleting does in Django's admin: the manager chooses,
for each application, which of the spaces it asked for it gets, from when until when, and for how
many people; the allocation service refuses what would fill a space beyond its capacity, and its
reason appears on that page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.http import as_authenticated
from portal.spaces import permissions, selectors, services
from portal.spaces.admin.review import review_page, review_url
from portal.spaces.models import (
    Application,
    Attachment,
    Call,
    ConflictOfInterest,
    Membership,
    Score,
    Space,
)
from portal.spaces.services.applications import DECISION_MOVES

Status = Application.Status

# The statuses an application may be accepted from.
ACCEPTABLE = frozenset(
    status for status, moves in DECISION_MOVES.items() if Status.ACCEPTED in moves
)


def _date_input() -> forms.DateInput:
    # Browsers fill a date input only from an ISO date, whatever the page's language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AttachmentInline(admin.TabularInline[Attachment, Application]):
    model = Attachment
    extra = 0
    fields = readonly_fields = ("link", "size", "uploaded_at")
    can_delete = False

    @admin.display(description=gettext_lazy("file"))
    def link(self, attachment: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', attachment.file.url, attachment.name)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScoreInline(admin.TabularInline[Score, Application]):
    model = Score
    extra = 0
    fields = readonly_fields = ("reviewer", "criterion", "score", "comment")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _decide(
    request: HttpRequest, queryset: QuerySet[Application], status: str, modeladmin: Any
) -> None:
    done = 0
    for application in queryset:
        try:
            services.application_decide(
                application=application, by=as_authenticated(request).user, to_status=status
            )
        except ValidationError as error:
            modeladmin.message_user(
                request, f"{application}: {' '.join(error.messages)}", level=messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            _("%(count)s applications are now: %(status)s.")
            % {"count": done, "status": Application.Status(status).label},
            level=messages.SUCCESS,
        )


def _decision_action(status: str, description: Any) -> Any:
    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        _decide(request, queryset, status, modeladmin)

    action.__name__ = f"decide_{status}"
    return admin.action(description=description, permissions=["change"])(action)


class AcceptForm(forms.Form):
    """Which of the spaces asked for one application gets, for which days and how many people.

    Every answer starts as what the application asked for: its first space, its move-in date, the
    months it asked for, its team.
    """

    space = forms.ModelChoiceField(
        label=gettext_lazy("Space"),
        queryset=Space.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=_date_input())
    ends_on = forms.DateField(
        label=gettext_lazy("Until"),
        widget=_date_input(),
        help_text=gettext_lazy("The last day in the space, included."),
    )
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1)

    def __init__(self, data: Any = None, *, application: Application) -> None:
        spaces = list(application.spaces.all())
        super().__init__(
            data,
            prefix=f"accept-{application.pk}",
            initial={
                "space": spaces[0].pk if spaces else None,
                "starts_on": application.move_in,
                "ends_on": application.move_out,
                "seats": application.team_size,
            },
        )
        self.application = application
        field: Any = self.fields["space"]
        field.queryset = application.spaces.select_related("innovation_district")
        field.label_from_instance = self._space_label

    def _space_label(self, space: Space) -> str:
        # Counted as the page is drawn, so that a page shown again after accepting some of its
        # applications counts their seats too.
        application = self.application
        taken = (
            selectors.space_peak_use(
                space=space, starts_on=application.move_in, ends_on=application.move_out
            )
            if application.move_in and application.move_out
            else 0
        )
        return _(
            "%(space)s (%(district)s): %(free)s of %(capacity)s seats free on the busiest day "
            "asked for"
        ) % {
            "space": space.name,
            "district": space.innovation_district.name,
            "free": max(space.capacity - taken, 0),
            "capacity": space.capacity,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day comes before the first."))
        return cleaned


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ["organisation", "call", "status", "submitted_at", "weighted_total", "spread"]
    list_filter = ["status", "call"]
    search_fields = ["organisation__name"]
    fields = readonly_fields = (
        "call",
        "organisation",
        "status",
        "spaces",
        "move_in",
        "duration_months",
        "team_size",
        "pitch",
        "pilot_plan",
        "submitted_at",
        "decided_at",
        "decided_by",
        "weighted_total",
        "spread",
        "your_review",
    )
    inlines = [AttachmentInline, ScoreInline]
    actions = [
        _decision_action(Status.UNDER_REVIEW, gettext_lazy("Start the review")),
        _decision_action(Status.SHORTLISTED, gettext_lazy("Shortlist")),
        "accept",
        _decision_action(Status.WAITING_LIST, gettext_lazy("Put on the waiting list")),
        _decision_action(Status.REJECTED, gettext_lazy("Reject")),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        user = as_authenticated(request).user
        reviews_call = Exists(
            Call.reviewers.through.objects.filter(call_id=OuterRef("call_id"), user_id=user.pk)
        )
        conflicted = Exists(
            ConflictOfInterest.objects.filter(application=OuterRef("pk"), reviewer_id=user.pk)
        ) | Exists(
            Membership.objects.filter(organisation=OuterRef("organisation_id"), user_id=user.pk)
        )
        # Whether the user may open the review page, asking what permissions.user_may_review asks,
        # in the same query as the list.
        may_score: Any = Value(False)
        if user.is_active and user.has_perm("spaces.add_score"):
            may_score = ExpressionWrapper(
                Q(reviews_call) & ~Q(conflicted), output_field=BooleanField()
            )
        return (
            permissions.applications_visible_in_admin(user)
            .select_related("call", "organisation", "decided_by")
            .prefetch_related(
                Prefetch("scores", queryset=Score.objects.select_related("criterion", "reviewer"))
            )
            .annotate(
                may_score=may_score,
                own_scores=Count("scores", filter=Q(scores__reviewer_id=user.pk), distinct=True),
                criteria_count=Count("call__criteria", distinct=True),
            )
        )

    def get_list_display(
        self, request: HttpRequest
    ) -> list[str | Callable[[Application], str | bool]]:
        display = list(super().get_list_display(request))
        if request.user.has_perm("spaces.add_score"):
            # Reviewers come here to score: the link goes where it shows on a narrow screen too.
            display.insert(1, "your_review")
        return display

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:application_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="spaces_application_review",
            )
        ]
        return own + super().get_urls()

    def review_view(self, request: HttpRequest, application_id: int) -> HttpResponse:
        return review_page(self, request, application_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Fields are read-only; "change" only lets managers run the decision actions.
        if obj is not None:
            return permissions.user_manages_call(request.user, obj.call)
        return super().has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None:
            return self.get_queryset(request).filter(pk=obj.pk).exists()
        return super().has_view_permission(request, obj) or bool(
            request.user.has_perm("spaces.add_score")
        )

    @admin.display(description=gettext_lazy("weighted total (0-100)"))
    def weighted_total(self, application: Application) -> str:
        mean = selectors.review_totals(application.scores.all()).mean
        return "-" if mean is None else f"{mean:.1f}"

    @admin.display(description=gettext_lazy("spread between reviewers"))
    def spread(self, application: Application) -> str:
        spread = selectors.review_totals(application.scores.all()).spread
        return "-" if spread is None else f"{spread:.1f}"

    @admin.display(description=gettext_lazy("your review"))
    def your_review(self, application: Application) -> str:
        if not getattr(application, "may_score", False):
            return "-"
        scored, criteria = application.own_scores, application.criteria_count  # type: ignore[attr-defined]
        label = (
            _("Score")
            if not scored
            else _("%(scored)s of %(criteria)s scored: change")
            % {"scored": scored, "criteria": criteria}
        )
        return format_html('<a class="button" href="{}">{}</a>', review_url(application), label)

    @admin.action(description=gettext_lazy("Accept and allocate a space…"), permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[Application]) -> HttpResponse | None:
        user = as_authenticated(request).user
        applying = "apply" in request.POST
        acceptable = []
        # Decided in the order they were submitted: when not all fit, the earlier ones go first.
        for application in queryset.prefetch_related("spaces").order_by("submitted_at", "pk"):
            if application.status in ACCEPTABLE and permissions.user_manages_call(
                user, application.call
            ):
                acceptable.append(application)
            elif not applying:
                self.message_user(
                    request,
                    _("%(application)s cannot be accepted: it is %(status)s.")
                    % {"application": application, "status": application.get_status_display()}
                    if application.status not in ACCEPTABLE
                    else _("%(application)s: only the call's managers decide on it.")
                    % {"application": application},
                    messages.WARNING,
                )
        pending = [
            AcceptForm(request.POST if applying else None, application=application)
            for application in acceptable
        ]
        if applying:
            pending = [form for form in pending if not self._accept_one(request, form)]
            if not pending:
                return None
        elif not pending:
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Accept and allocate a space"),
            "forms": pending,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "spaces/admin/accept.html", context)

    def _accept_one(self, request: HttpRequest, form: AcceptForm) -> bool:
        """Accept one application as its form says; False, with the reason on the form, if not."""
        if not form.is_valid():
            return False
        application = form.application
        try:
            services.application_decide(
                application=application,
                by=as_authenticated(request).user,
                to_status=Status.ACCEPTED,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return False
        self.message_user(
            request,
            _("%(application)s is accepted, with %(seats)s seats in %(space)s.")
            % {
                "application": application,
                "seats": form.cleaned_data["seats"],
                "space": form.cleaned_data["space"].name,
            },
            messages.SUCCESS,
        )
        return True
