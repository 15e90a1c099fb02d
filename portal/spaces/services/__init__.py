"""State changes of the spaces app, split by concern; each function is the one way its change
happens, from a page, the API, the admin or a task. Rules are broken with a ValidationError whose
code comes from `portal.spaces.errors`, and nothing is written when one is raised."""

from __future__ import annotations

from portal.spaces.services.allocation import allocation_create, space_change_check
from portal.spaces.services.applications import (
    application_create,
    application_decide,
    application_submit,
    application_update,
    application_withdraw,
    attachment_add,
    eligibility_failures,
)
from portal.spaces.services.organisations import (
    invitation_accept,
    invitation_email,
    invitation_send,
    invitations_forget,
    membership_remove,
    organisation_register,
    organisations_leave,
    ownership_transfer,
)
from portal.spaces.services.proposals import organisation_pilot_propose
from portal.spaces.services.review import conflict_declare, review_record, score_record

__all__ = [
    "allocation_create",
    "application_create",
    "application_decide",
    "application_submit",
    "application_update",
    "application_withdraw",
    "attachment_add",
    "conflict_declare",
    "eligibility_failures",
    "invitation_accept",
    "invitation_email",
    "invitation_send",
    "invitations_forget",
    "membership_remove",
    "organisation_pilot_propose",
    "organisation_register",
    "organisations_leave",
    "ownership_transfer",
    "review_record",
    "score_record",
    "space_change_check",
]
