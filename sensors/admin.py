from __future__ import annotations

from django.contrib import admin

from sensors.models import Device, Metric, Reading


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin[Metric]):
    list_display = ["code", "name_ko", "name_en", "unit", "min_value", "max_value"]
    search_fields = ["code", "name_ko", "name_en"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ["name", "kind", "district", "pilot", "visibility", "status", "last_seen_at"]
    list_filter = ["kind", "status", "visibility", "district"]
    search_fields = ["name", "pilot__title"]
    list_select_related = ["district", "pilot"]
    autocomplete_fields = ["pilot"]


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin[Reading]):
    list_display = ["device", "metric", "time", "value"]
    list_filter = ["metric"]
    search_fields = ["device__name"]
    list_select_related = ["device", "metric"]
    raw_id_fields = ["device"]
    date_hierarchy = "time"
    # Counting millions of rows for the paginator would make the page unusable.
    show_full_result_count = False
