"""Calls in the admin: their dates, spaces, managers, reviewers and rubric, and the CSV export."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationTabularInline

from pilots.admin.common import csv_response
from portal.spaces import permissions, selectors
from portal.spaces.models import Application, Call, Criterion
from portal.translation_admin import TranslatedAdmin


class CriterionInline(TranslationTabularInline[Criterion, Call]):
    model = Criterion
    extra = 1


@admin.action(description=gettext_lazy("Export the applications and scores (CSV)"))
def export_applications(
    modeladmin: CallAdmin, request: HttpRequest, queryset: QuerySet[Call]
) -> HttpResponse | None:
    if queryset.count() != 1:
        modeladmin.message_user(
            request, _("Choose exactly one call to export."), level=messages.WARNING
        )
        return None
    call = queryset.get()
    if not permissions.user_manages_call(request.user, call):
        modeladmin.message_user(
            request, _("Only the call's managers can export it."), level=messages.ERROR
        )
        return None
    criteria = list(call.criteria.order_by("position", "pk"))
    response, writer = csv_response(f"call-{call.pk}-applications.csv")
    writer.writerow(
        [
            _("organisation"),
            _("business registration number"),
            _("status"),
            _("submitted at"),
            _("spaces wanted"),
            _("move-in date"),
            _("duration (months)"),
            _("team size moving in"),
            *[f"{criterion.name} (x{criterion.weight})" for criterion in criteria],
            _("weighted total (0-100)"),
            _("spread between reviewers"),
            _("reviewers"),
            _("allocated"),
        ]
    )
    for application in selectors.applications_for_call(call):
        scores = list(application.scores.all())
        totals = selectors.review_totals(scores)
        by_criterion = []
        for criterion in criteria:
            given = [score.score for score in scores if score.criterion_id == criterion.pk]
            by_criterion.append(round(sum(given) / len(given), 2) if given else "")
        writer.writerow(
            [
                application.organisation.name,
                application.organisation.registration_number,
                Application.Status(application.status).label,
                application.submitted_at.isoformat() if application.submitted_at else "",
                "; ".join(space.name for space in application.spaces.all()),
                application.move_in or "",
                application.duration_months or "",
                application.team_size or "",
                *by_criterion,
                "" if totals.mean is None else round(totals.mean, 1),
                "" if totals.spread is None else totals.spread,
                len(totals.by_reviewer),
                "; ".join(
                    f"{allocation.space.name} {allocation.starts_on}-{allocation.ends_on}"
                    for allocation in application.allocations.all()
                ),
            ]
        )
    return response


@admin.register(Call)
class CallAdmin(TranslatedAdmin[Call]):
    list_display = ["title", "opens_at", "closes_at", "is_published"]
    filter_horizontal = ["spaces", "managers", "reviewers"]
    inlines = [CriterionInline]
    actions = [export_applications]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Call]:
        return permissions.calls_managed_by(request.user)
