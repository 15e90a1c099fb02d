"""What the pilots services share: the pilot's row lock and the managers-only guard."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from pilots.models import Pilot
from pilots.permissions import user_manages_pilot
from portal.models import User


def pilot_locked(pilot: Pilot) -> Pilot:
    """The pilot's row, locked until the transaction ends; serialises joins and phase moves."""
    return Pilot.objects.select_for_update().get(pk=pilot.pk)


def manager_required(user: User, pilot: Pilot) -> None:
    """Refuse, as a permission error, anyone who may not manage the pilot."""
    if not user_manages_pilot(user, pilot):
        raise PermissionDenied(_("Only this pilot's managers can do that."))
