"""Pilots proposed from outside the city: a partner organisation puts an idea forward."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pilots.models import Pilot
from portal.cache import Scope, cache_version_bump
from portal.models import District, User


def _free_slug(title: str) -> str:
    base = slugify(title)[:60] or "pilot"
    slug = base
    while Pilot.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    return slug


@transaction.atomic
def pilot_propose(
    *,
    title: str,
    summary: str,
    domain: str,
    districts: Iterable[District],
    partner: str,
    by: User,
) -> Pilot:
    """Create a pilot in the proposed phase with `partner` as its partner organisation.

    The caller must have checked that `by` speaks for the partner; `by` needs the permission to
    add pilots (startup members have it). The city's managers take the pilot on from there.
    """
    if not (by.is_authenticated and by.is_active and by.has_perm("pilots.add_pilot")):
        raise PermissionDenied(_("You may not propose pilots."))
    pilot = Pilot(
        title=title.strip(),
        slug=_free_slug(title),
        domain=domain,
        summary=summary.strip(),
        partner=partner.strip(),
        phase=Pilot.Phase.PROPOSED,
    )
    pilot.full_clean()
    pilot.save()
    pilot.districts.set(list(districts))
    cache_version_bump(Scope.PILOTS)
    return pilot
