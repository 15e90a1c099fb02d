"""Reports in the admin: triage (map, bulk status and assignment, merge, overdue, exports,
median times), categories in Korean and English, and partner apps' Open311 keys."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationTabularInline

from pilots.admin.common import csv_response
from portal.http import as_authenticated
from portal.models import District, User
from portal.reports import selectors, services
from portal.reports.models import (
    Category,
    CategoryAttribute,
    Open311Key,
    Photo,
    Report,
    ReportUpdate,
)
from portal.reports.permissions import user_triages_reports
from portal.selectors import district_feature_collection
from portal.translation_admin import TranslatedAdmin

MAX_TRIAGE_POINTS = 2_000


def _duration(value: datetime.timedelta | None) -> str:
    """A median time as days and hours, or hours, or minutes; a dash when there is none."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    days, hours = divmod(round(minutes / 60), 24)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    return _("%(hours)d h") % {"hours": hours}


class CategoryAttributeInline(TranslationTabularInline[CategoryAttribute, Category]):
    model = CategoryAttribute
    extra = 0
    fields = ["order", "code", "description", "datatype", "required", "variable", "values"]


@admin.register(Category)
class CategoryAdmin(TranslatedAdmin[Category]):
    list_display = ["code", "name", "target_days", "sensitive", "active", "order"]
    list_editable = ["target_days", "sensitive", "active", "order"]
    search_fields = ["code", "name_ko", "name_en"]
    inlines = [CategoryAttributeInline]


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("Overdue")), ("no", gettext_lazy("Within target"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(selectors.overdue_q())
        if self.value() == "no":
            return queryset.exclude(selectors.overdue_q())
        return queryset


class TriageActionForm(ActionForm):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"),
        queryset=User.objects.filter(is_staff=True, is_active=True).order_by("username"),
        required=False,
    )
    text = forms.CharField(label=gettext_lazy("Public text"), required=False, max_length=2000)


class PhotoInline(admin.TabularInline[Photo, Report]):
    model = Photo
    extra = 0
    fields = ["thumbnail", "width", "height", "created_at"]
    readonly_fields = ["thumbnail", "width", "height", "created_at"]
    can_delete = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReportUpdateInline(admin.TabularInline[ReportUpdate, Report]):
    model = ReportUpdate
    extra = 0
    fields = ["created_at", "kind", "status", "resolution", "author", "text"]
    readonly_fields = ["created_at", "kind", "status", "resolution", "author", "text"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _bulk(
    request: HttpRequest, queryset: QuerySet[Report], status: str, resolution: str = ""
) -> None:
    text = request.POST.get("text", "")
    moved = 0
    for report in queryset.select_related("category"):
        try:
            services.report_status_change(
                report=report,
                actor=as_authenticated(request).user,
                status=status,
                resolution=resolution,
                text=text,
            )
            moved += 1
        except ValidationError as error:
            messages.warning(request, f"#{report.pk}: {' '.join(error.messages)}")
    messages.success(request, _("%(count)d reports moved.") % {"count": moved})


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = [
        "id",
        "category",
        "status",
        "resolution",
        "district",
        "assignee",
        "support_count",
        "created_at",
        "overdue",
    ]
    list_filter = [OverdueFilter, "status", "category", "district", "source", "assignee"]
    # `id__exact` compares the id as text, so a search for words finds no error, only no id.
    search_fields = ["id__exact", "description", "reporter__username", "address"]
    list_select_related = ["district", "reporter", "category", "assignee"]
    date_hierarchy = "created_at"
    raw_id_fields = ["reporter", "pilot", "device", "duplicate_of", "assignee"]
    readonly_fields = [
        "status",
        "resolution",
        "duplicate_of",
        "support_count",
        "source",
        "partner",
        "token",
        "created_at",
        "updated_at",
        "due_at",
        "acknowledged_at",
        "closed_at",
        "assignee",
        # The place comes with the report, and its district and map cells with the place.
        "latitude",
        "longitude",
        "district",
    ]
    exclude = ["supporters"]
    inlines = [PhotoInline, ReportUpdateInline]
    action_form = TriageActionForm
    # Adds the link to the triage page.
    change_list_template = "reports/admin/report_change_list.html"
    actions = [
        "acknowledge",
        "start",
        "close_fixed",
        "close_not_actionable",
        "post_update",
        "assign",
        "merge",
        "export_csv",
        "export_geojson",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Reports are filed on the site, through the API or through Open311, by one service.
        return False

    @admin.display(boolean=True, description=gettext_lazy("overdue"))
    def overdue(self, report: Report) -> bool:
        return report.is_overdue

    @admin.action(description=gettext_lazy("Acknowledge"), permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        _bulk(request, queryset, Report.Status.ACKNOWLEDGED)

    @admin.action(description=gettext_lazy("Mark in progress"), permissions=["change"])
    def start(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        _bulk(request, queryset, Report.Status.IN_PROGRESS)

    @admin.action(description=gettext_lazy("Close as fixed"), permissions=["change"])
    def close_fixed(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        _bulk(request, queryset, Report.Status.CLOSED, Report.Resolution.FIXED)

    @admin.action(description=gettext_lazy("Close as not actionable"), permissions=["change"])
    def close_not_actionable(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        _bulk(request, queryset, Report.Status.CLOSED, Report.Resolution.NOT_ACTIONABLE)

    @admin.action(
        description=gettext_lazy("Post the public text as an update"), permissions=["change"]
    )
    def post_update(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset:
            try:
                services.report_update_post(
                    report=report,
                    actor=as_authenticated(request).user,
                    text=request.POST.get("text", ""),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return
        messages.success(request, _("Update posted."))

    @admin.action(description=gettext_lazy("Assign to the chosen person"), permissions=["change"])
    def assign(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        assignee = User.objects.filter(pk=request.POST.get("assignee") or 0, is_staff=True).first()
        actor = as_authenticated(request).user
        for report in queryset:
            services.report_assign(report=report, actor=actor, assignee=assignee)
        messages.success(request, _("%(count)d reports assigned.") % {"count": queryset.count()})

    @admin.action(
        description=gettext_lazy("Merge into the oldest selected report"), permissions=["change"]
    )
    def merge(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        reports = list(queryset.order_by("created_at", "pk"))
        if len(reports) < 2:
            messages.error(request, _("Select the original and at least one duplicate."))
            return
        original, *duplicates = reports
        for duplicate in duplicates:
            try:
                services.report_merge(
                    duplicate=duplicate, original=original, actor=as_authenticated(request).user
                )
            except ValidationError as error:
                messages.warning(request, f"#{duplicate.pk}: {' '.join(error.messages)}")
        messages.success(request, _("Merged into #%(id)s.") % {"id": original.pk})

    @admin.action(description=gettext_lazy("Export as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Report]) -> HttpResponse:
        response, writer = csv_response("reports.csv")
        writer.writerow(
            [
                "id", "category", "status", "resolution", "district", "pilot", "latitude",
                "longitude", "address", "description", "supporters", "created_at",
                "acknowledged_at", "closed_at", "due_at", "overdue",
            ]
        )  # fmt: skip
        for report in queryset.select_related("category", "district", "pilot"):
            writer.writerow(
                [
                    report.pk,
                    report.category.code,
                    report.status,
                    report.resolution,
                    report.district.slug if report.district else "",
                    report.pilot.slug if report.pilot else "",
                    report.latitude,
                    report.longitude,
                    report.address,
                    report.description,
                    report.support_count,
                    report.created_at.isoformat(),
                    report.acknowledged_at.isoformat() if report.acknowledged_at else "",
                    report.closed_at.isoformat() if report.closed_at else "",
                    report.due_at.isoformat() if report.due_at else "",
                    report.is_overdue,
                ]
            )
        return response

    @admin.action(description=gettext_lazy("Export as GeoJSON"), permissions=["view"])
    def export_geojson(self, request: HttpRequest, queryset: QuerySet[Report]) -> HttpResponse:
        features = [
            {
                "type": "Feature",
                "id": report.pk,
                "geometry": {"type": "Point", "coordinates": [report.longitude, report.latitude]},
                "properties": {
                    "category": report.category.code,
                    "status": report.status,
                    "resolution": report.resolution,
                    "district": report.district.slug if report.district else None,
                    "description": report.description,
                    "supporters": report.support_count,
                    "created_at": report.created_at.isoformat(),
                    "acknowledged_at": report.acknowledged_at.isoformat()
                    if report.acknowledged_at
                    else None,
                    "closed_at": report.closed_at.isoformat() if report.closed_at else None,
                    "overdue": report.is_overdue,
                },
            }
            for report in queryset.select_related("category", "district")
        ]
        response = HttpResponse(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
            content_type="application/geo+json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="reports.geojson"'
        return response

    def get_urls(self) -> list[URLPattern]:
        triage = path(
            "triage/", self.admin_site.admin_view(self.triage_view), name="reports_report_triage"
        )
        return [triage, *super().get_urls()]

    def triage_view(self, request: HttpRequest) -> HttpResponse:
        """A map of open reports, overdue first, and each category's median times."""
        if not (user_triages_reports(request.user) or self.has_view_permission(request)):
            raise PermissionDenied
        now = timezone.now()
        open_reports = (
            Report.objects.exclude(status=Report.Status.CLOSED)
            .select_related("category")
            .order_by("due_at")[:MAX_TRIAGE_POINTS]
        )
        points = [
            {
                "id": report.pk,
                "lat": report.latitude,
                "lng": report.longitude,
                "category": report.category.name,
                "status": report.get_status_display(),
                "overdue": bool(report.due_at and report.due_at < now),
            }
            for report in open_reports
        ]
        medians = [
            {
                **row,
                "acknowledge": _duration(row["median_acknowledge"]),
                "close": _duration(row["median_close"]),
            }
            for row in selectors.category_median_times()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Report triage"),
            "opts": self.model._meta,
            "points": points,
            "medians": medians,
            "open_count": Report.objects.exclude(status=Report.Status.CLOSED).count(),
            "overdue_count": Report.objects.filter(selectors.overdue_q(now)).count(),
            "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
            # Drawn under the points: the map stays readable where tiles cannot load.
            "district_geojson": district_feature_collection(District.objects.all()),
        }
        return TemplateResponse(request, "reports/admin/triage.html", context)


class Open311KeyForm(forms.ModelForm[Open311Key]):
    class Meta:
        model = Open311Key
        fields = ["name"]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin[Open311Key]):
    """Keys are made by the service and shown once; the admin never sees them again."""

    form = Open311KeyForm
    list_display = ["name", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name"] if obj is None else ["name", "prefix", "created_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: Open311Key, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = services.open311_key_create(name=obj.name)
        obj.pk = key.pk
        obj.prefix, obj.key_hash, obj.created_at = key.prefix, key.key_hash, key.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("The key for %(name)s is %(key)s — copy it now: it will not be shown again.")
            % {"name": key.name, "key": raw},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
        for key in queryset:
            services.open311_key_revoke(key=key)
        messages.success(request, _("Keys revoked."))
