"""Who may manage which pilot: its own managers, and staff who see every pilot."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pilots.models import Pilot


def user_sees_every_pilot(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("pilots.view_private_pilot_data"))
    )


def user_manages_pilot(user: Any, pilot: Pilot) -> bool:
    """Whether the user may change this pilot, its phases, consent, surveys and answers."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user_sees_every_pilot(user):
        return True
    return bool(user.has_perm("pilots.change_pilot")) and pilot.managers.filter(pk=user.pk).exists()


def pilots_managed_by(user: Any) -> QuerySet[Pilot]:
    """The pilots the user may manage in the admin."""
    if user_sees_every_pilot(user):
        return Pilot.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Pilot.objects.none()
    return Pilot.objects.filter(managers=user)
