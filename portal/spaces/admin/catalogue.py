"""The catalogue in the admin: innovation districts, their spaces, organisations, allocations."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from portal.spaces.models import (
    Allocation,
    InnovationDistrict,
    Membership,
    Organisation,
    Space,
    SpacePhoto,
)


@admin.register(InnovationDistrict)
class InnovationDistrictAdmin(TabbedTranslationAdmin[InnovationDistrict]):
    list_display = ["name", "district"]
    list_select_related = ["district"]


class SpacePhotoInline(TranslationTabularInline[SpacePhoto, Space]):
    model = SpacePhoto
    extra = 0


@admin.register(Space)
class SpaceAdmin(TabbedTranslationAdmin[Space]):
    list_display = [
        "name",
        "kind",
        "innovation_district",
        "capacity",
        "monthly_fee",
        "is_published",
    ]
    list_filter = ["kind", "innovation_district", "is_published"]
    list_select_related = ["innovation_district"]
    search_fields = ["name", "address"]
    inlines = [SpacePhotoInline]


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "registration_number", "sector", "team_size", "founded_on"]
    list_filter = ["sector"]
    search_fields = ["name", "registration_number"]
    inlines = [MembershipInline]


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin[Allocation]):
    list_display = ["space", "application", "starts_on", "ends_on", "seats"]
    list_filter = ["space__innovation_district", "space"]
    list_select_related = ["space", "application__organisation", "application__call"]
    readonly_fields = ["application", "space", "starts_on", "ends_on", "seats"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Allocations come from accepting an application, which checks the capacity.
        return False
