"""Reads of pilots."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from pilots.models import Pilot
from portal.models import District, User


@dataclass(frozen=True)
class PilotFilters:
    """What a citizen can narrow the pilot list by; empty fields do not filter."""

    district: str = ""
    domain: str = ""
    phase: str = ""
    text: str = ""


def pilot_list(filters: PilotFilters | None = None) -> QuerySet[Pilot]:
    # Aggregating drops Meta.ordering, so the listing order is spelled out for stable pages.
    pilots = (
        Pilot.objects.prefetch_related("districts")
        .annotate(device_count=Count("devices", distinct=True))
        .order_by(*Pilot._meta.ordering)
    )
    if filters is None:
        return pilots
    if filters.district:
        pilots = pilots.filter(districts__slug=filters.district)
    if filters.domain:
        pilots = pilots.filter(domain=filters.domain)
    if filters.phase:
        pilots = pilots.filter(phase=filters.phase)
    if filters.text:
        pilots = pilots.filter(
            Q(title__icontains=filters.text)
            | Q(summary__icontains=filters.text)
            | Q(partner__icontains=filters.text)
        )
    return pilots


def pilot_detail(slug: str) -> Pilot:
    return Pilot.objects.prefetch_related("districts", "devices__district").get(slug=slug)


def user_is_pilot_member(user: User, pilot: Pilot) -> bool:
    """Whether the user may see the pilot's private data (its private devices, for one).

    Members are the pilot's managers and staff; enrolled participants join them once enrolment
    exists.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_perm("pilots.view_private_pilot_data"):
        return True
    return pilot.managers.filter(pk=user.pk).exists()


def districts_with_pilots() -> QuerySet[District]:
    return District.objects.filter(pilots__isnull=False).distinct()
