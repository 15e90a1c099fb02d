"""From startup to pilot: an organisation with a space proposes a pilot via the pilots app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilots import services as pilot_services
from portal.models import District, User
from portal.spaces.errors import SpacesError
from portal.spaces.models import Organisation, ProposedPilot
from portal.spaces.permissions import user_is_member
from portal.spaces.selectors import has_space_now


@transaction.atomic
def organisation_pilot_propose(
    *,
    organisation: Organisation,
    by: User,
    title: str,
    summary: str,
    domain: str,
    districts: list[District],
) -> ProposedPilot:
    """A member of an organisation holding a space proposes a pilot, with it as partner.

    The pilot starts in the proposed phase; the city's managers take it from there.
    """
    if not user_is_member(by, organisation):
        raise ValidationError(
            _("Only members of %(organisation)s can do that.") % {"organisation": organisation},
            code=SpacesError.NOT_A_MEMBER,
        )
    if not has_space_now(organisation):
        raise ValidationError(
            _("Only organisations with a space allocated to them can propose a pilot."),
            code=SpacesError.NO_ALLOCATION,
        )
    pilot = pilot_services.pilot_propose(
        title=title,
        summary=summary,
        domain=domain,
        districts=districts,
        partner=organisation.name,
        by=by,
    )
    return ProposedPilot.objects.create(organisation=organisation, pilot=pilot, proposed_by=by)
