from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.cache import CachedPagesAdmin, Scope
from portal.models import District, User
from portal.translation_admin import TranslatedAdmin

admin.site.site_header = _("Living Lab Portal administration")
admin.site.site_title = _("Living Lab Portal")
admin.site.index_title = _("Pilots, devices and reports")


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ["username", "email", "home_district", "preferred_language", "is_staff"]
    list_filter = ["groups", "is_staff", "is_active", "preferred_language", "home_district"]
    list_select_related = ["home_district"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Living lab"), {"fields": ("home_district", "birth_date", "preferred_language")}),
    )


@admin.register(District)
class DistrictAdmin(CachedPagesAdmin[District], TranslatedAdmin[District]):
    """Seoul's 25 districts, which can be looked at and changed but neither added nor deleted.

    They are reference data that `districts_sync_seoul` loads from the committed GeoJSON: a
    district added here would have no boundary, and one deleted would be taken from its pilots,
    devices and residents until the next sync brought it back empty.
    """

    cache_scopes = (Scope.DISTRICTS,)

    list_display = ["name_ko", "name_en", "code", "pilot_count", "device_count"]
    # Which districts host a pilot of a given phase or domain, or a device of a given kind.
    list_filter = ["pilots__phase", "pilots__domain", "devices__kind"]
    search_fields = ["name_ko", "name_en", "code", "slug"]
    readonly_fields = ["code"]
    fields = [
        "code",
        "name",
        "slug",
        "boundary",
        "center_latitude",
        "center_longitude",
    ]
    prepopulated_fields = {"slug": ["name_en"]}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: District | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[District]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                pilot_total=Count("pilots", distinct=True),
                device_total=Count("devices", distinct=True),
            )
        )

    @admin.display(description=_("pilots"), ordering="pilot_total")
    def pilot_count(self, district: District) -> int:
        return district.pilot_total  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=_("devices"), ordering="device_total")
    def device_count(self, district: District) -> int:
        return district.device_total  # type: ignore[attr-defined,no-any-return]
