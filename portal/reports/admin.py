from __future__ import annotations

from django.contrib import admin

from portal.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ["id", "category", "status", "district", "reporter", "created_at"]
    list_filter = ["status", "category", "district"]
    # `id__exact` compares the id as text, so a search for words finds no error, only no id.
    search_fields = ["id__exact", "description", "reporter__username"]
    list_select_related = ["district", "reporter"]
    date_hierarchy = "created_at"
    raw_id_fields = ["reporter"]
