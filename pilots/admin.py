from __future__ import annotations

from django.contrib import admin

from pilots.models import Pilot


@admin.register(Pilot)
class PilotAdmin(admin.ModelAdmin[Pilot]):
    list_display = ["title", "domain", "phase", "start_date", "end_date", "partner"]
    list_filter = ["phase", "domain", "districts"]
    search_fields = ["title", "summary", "partner", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["districts", "managers"]
    date_hierarchy = "start_date"
