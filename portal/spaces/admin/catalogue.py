"""The catalogue in the admin: innovation districts, their spaces, organisations, allocations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from modeltranslation.admin import TranslationTabularInline

from portal.spaces import services
from portal.spaces.models import (
    Allocation,
    InnovationDistrict,
    Membership,
    Organisation,
    Space,
    SpacePhoto,
)
from portal.translation_admin import TranslatedAdmin


@admin.register(InnovationDistrict)
class InnovationDistrictAdmin(TranslatedAdmin[InnovationDistrict]):
    list_display = ["name", "district"]
    list_select_related = ["district"]


class SpacePhotoInline(TranslationTabularInline[SpacePhoto, Space]):
    model = SpacePhoto
    extra = 0


class SpaceForm(forms.ModelForm[Space]):
    """A space's details; a capacity or dates its allocations would not fit are refused.

    The admin gives it its model and fields (with their translations).
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        capacity = cleaned.get("capacity")
        available_from = cleaned.get("available_from")
        available_until = cleaned.get("available_until")
        if (
            self.instance.pk is not None
            and capacity is not None
            and available_from is not None
            and available_until is not None
        ):
            try:
                services.space_change_check(
                    space=self.instance,
                    capacity=capacity,
                    available_from=available_from,
                    available_until=available_until,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Space)
class SpaceAdmin(TranslatedAdmin[Space]):
    form = SpaceForm
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
