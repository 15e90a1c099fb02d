"""Review in the admin: a reviewer scores a whole application on one page, and declares conflicts.

The review page belongs to the application admin (see `applications.py`); it is written here, with
the form it uses, next to the read-only list of scores and the conflict declarations.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.http import as_authenticated
from portal.spaces import permissions, selectors, services
from portal.spaces.models import Application, ConflictOfInterest, Criterion, Score

SCORE_CHOICES = [(value, str(value)) for value in range(Criterion.MAX_SCORE + 1)]


class ReviewForm(forms.Form):
    """A score and a comment for every criterion of the call's rubric, saved together."""

    def __init__(
        self,
        data: Any = None,
        *,
        criteria: list[Criterion],
        earlier: dict[int, Score],
    ) -> None:
        super().__init__(data)
        self.criteria = criteria
        for criterion in criteria:
            given = earlier.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Score"),
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                initial=given.score if given else None,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                initial=given.comment if given else "",
            )

    def rows(self) -> list[tuple[Criterion, BoundField, BoundField]]:
        """Each criterion with its score and comment fields, in the rubric's order."""
        return [
            (criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def marks(self) -> dict[Criterion, tuple[int, str]]:
        return {
            criterion: (
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data[f"comment_{criterion.pk}"],
            )
            for criterion in self.criteria
        }


def review_page(
    modeladmin: admin.ModelAdmin[Application], request: HttpRequest, application_id: int
) -> HttpResponse:
    """Score one application on every criterion of its call's rubric, with one save.

    A reviewer with a conflict, declared or by membership, does not find the application at all
    (404); someone who sees it without reviewing the call, such as its manager, is refused (403).
    """
    user = as_authenticated(request).user
    application = get_object_or_404(
        permissions.applications_visible_in_admin(user).select_related("call", "organisation"),
        pk=application_id,
    )
    if not permissions.user_may_review(user, application):
        raise PermissionDenied
    criteria = list(application.call.criteria.order_by("position", "pk"))
    earlier = {score.criterion_id: score for score in application.scores.filter(reviewer=user)}
    form = ReviewForm(request.POST or None, criteria=criteria, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            scores = services.review_record(
                application=application, reviewer=user, marks=form.marks()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            total = selectors.review_totals(scores).by_reviewer.get(user.pk)
            modeladmin.message_user(
                request,
                _("Your review of %(organisation)s is saved: %(total)s of 100.")
                % {"organisation": application.organisation.name, "total": total},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:spaces_application_changelist"))
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Review: %(organisation)s") % {"organisation": application.organisation.name},
        "application": application,
        "form": form,
        "max_score": Criterion.MAX_SCORE,
        "total_weight": sum(criterion.weight for criterion in criteria),
        "spaces": application.spaces.select_related("innovation_district"),
        "attachments": application.attachments.all(),
        "opts": Application._meta,
    }
    return TemplateResponse(request, "spaces/admin/review.html", context)


def review_url(application: Application) -> str:
    return reverse("admin:spaces_application_review", args=[application.pk])


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin[Score]):
    """The scores given so far, to read; reviewers score on each application's review page."""

    list_display = ["application", "criterion", "score", "reviewer", "scored_at", "review_link"]
    list_filter = ["criterion__call"]
    list_select_related = [
        "application__organisation",
        "application__call",
        "criterion",
        "reviewer",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Score]:
        visible = permissions.applications_visible_in_admin(request.user)
        scores = Score.objects.filter(application__in=visible)
        if permissions.user_manages_every_call(request.user):
            return scores
        # Reviewers see their own scores here; the application's page shows everyone's.
        return scores.filter(reviewer=as_authenticated(request).user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("review"))
    def review_link(self, score: Score) -> str:
        return format_html('<a href="{}">{}</a>', review_url(score.application), _("Review page"))


def _choices(form: Any, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.base_fields[name])


class ConflictForm(forms.ModelForm[ConflictOfInterest]):
    class Meta:
        model = ConflictOfInterest
        fields = ["application", "reason"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin[ConflictOfInterest]):
    """Where reviewers declare conflicts; the application then leaves their view."""

    form = ConflictForm
    list_display = ["application", "reviewer", "declared_at"]
    list_select_related = ["application__organisation", "application__call", "reviewer"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConflictOfInterest]:
        if permissions.user_manages_every_call(request.user):
            return ConflictOfInterest.objects.all()
        return ConflictOfInterest.objects.filter(reviewer=as_authenticated(request).user)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        _choices(form, "application").queryset = permissions.applications_visible_in_admin(
            request.user
        ).select_related("organisation", "call")
        return form

    def save_model(
        self, request: HttpRequest, obj: ConflictOfInterest, form: Any, change: bool
    ) -> None:
        saved = services.conflict_declare(
            application=obj.application,
            reviewer=as_authenticated(request).user,
            reason=obj.reason,
        )
        obj.pk = saved.pk
        obj.reviewer = saved.reviewer

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
