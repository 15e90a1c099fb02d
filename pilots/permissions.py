"""Who may do what with pilots: manage one, see every one, see one's private data.

One function per question, used alike by pages, the API, the admin, live feeds and selectors.
An inactive account may do none of it, whatever it was granted.
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from pilots.models import Pilot
from pilots.selectors import active_enrolments
from portal.models import User


def _is_active_account(user: User | AnonymousUser) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_active


def user_sees_every_pilot(user: User | AnonymousUser) -> bool:
    """Whether the user sees the private data of every pilot, and every pilot in the admin."""
    return _is_active_account(user) and bool(
        user.is_superuser or user.has_perm("pilots.view_private_pilot_data")
    )


def pilots_private_data_seen_by(user: User | AnonymousUser) -> QuerySet[Pilot]:
    """The pilots whose private data the user sees: their private devices and their readings.

    A user sees a pilot's private data if they take part actively (holding a place and agreed to
    the current consent text), manage the pilot, or see every pilot (see user_sees_every_pilot).
    Residents waiting for a place, withdrawn or yet to agree to a new consent text do not. One
    query, for pages that would otherwise ask pilot by pilot.
    """
    if not _is_active_account(user):
        return Pilot.objects.none()
    if user_sees_every_pilot(user):
        return Pilot.objects.all()
    taking_part = active_enrolments().filter(user_id=user.pk).values("pilot_id")
    return Pilot.objects.filter(Q(managers=user) | Q(pk__in=taking_part)).distinct()


def user_sees_pilot_private_data(user: User | AnonymousUser, pilot: Pilot) -> bool:
    """Whether the user sees this pilot's private data (see pilots_private_data_seen_by)."""
    # Asked for every private device on a page: those who see every pilot need no query.
    if user_sees_every_pilot(user):
        return True
    return pilots_private_data_seen_by(user).filter(pk=pilot.pk).exists()


def user_manages_pilot(user: User | AnonymousUser, pilot: Pilot) -> bool:
    """Whether the user may change this pilot, its phases, consent, surveys and answers."""
    if not _is_active_account(user):
        return False
    if user_sees_every_pilot(user):
        return True
    return bool(user.has_perm("pilots.change_pilot")) and pilot.managers.filter(pk=user.pk).exists()


def pilots_managed_by(user: User | AnonymousUser) -> QuerySet[Pilot]:
    """The pilots the user may manage in the admin."""
    if user_sees_every_pilot(user):
        return Pilot.objects.all()
    if not _is_active_account(user):
        return Pilot.objects.none()
    return Pilot.objects.filter(managers=user)
