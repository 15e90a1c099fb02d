"""The codes of the errors the spaces services raise, as `ValidationError(..., code=...)`."""

from __future__ import annotations

import enum


class SpacesError(enum.StrEnum):
    REGISTRATION_NUMBER_FORMAT = "registration_number_format"
    REGISTRATION_NUMBER_CHECK_DIGIT = "registration_number_check_digit"
    REGISTRATION_NUMBER_TAKEN = "registration_number_taken"
    NOT_A_MEMBER = "not_a_member"
    NOT_AN_OWNER = "not_an_owner"
    LAST_OWNER = "last_owner"
    ALREADY_A_MEMBER = "already_a_member"
    INVITATION_USED = "invitation_used"
    INVITATION_OTHER_EMAIL = "invitation_other_email"
    CALL_NOT_OPEN_YET = "call_not_open_yet"
    CALL_CLOSED = "call_closed"
    ORGANISATION_TOO_OLD = "organisation_too_old"
    TEAM_TOO_SMALL = "team_too_small"
    TEAM_TOO_LARGE = "team_too_large"
    ALREADY_APPLIED = "already_applied"
    NOT_A_DRAFT = "not_a_draft"
    APPLICATION_INCOMPLETE = "application_incomplete"
    SPACE_NOT_OFFERED = "space_not_offered"
    MOVE_IN_OUTSIDE_AVAILABILITY = "move_in_outside_availability"
    ATTACHMENT_NOT_PDF = "attachment_not_pdf"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    CANNOT_WITHDRAW = "cannot_withdraw"
    STATUS_MOVE_NOT_ALLOWED = "status_move_not_allowed"
    NOT_A_CALL_MANAGER = "not_a_call_manager"
    NOT_A_REVIEWER = "not_a_reviewer"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    NOT_UNDER_REVIEW = "not_under_review"
    CRITERION_OF_OTHER_CALL = "criterion_of_other_call"
    SCORE_OUT_OF_RANGE = "score_out_of_range"
    REVIEW_INCOMPLETE = "review_incomplete"
    ALLOCATION_DATES = "allocation_dates"
    OVER_CAPACITY = "over_capacity"
    NO_ALLOCATION = "no_allocation"


# How the API answers the refusals that the request's form does not explain (portal.rest); every
# other code answers 400.
API_STATUSES: dict[str, int] = {
    # The state of the application, call, invitation or organisation refuses the request now:
    # 409 Conflict.
    SpacesError.REGISTRATION_NUMBER_TAKEN: 409,
    SpacesError.LAST_OWNER: 409,
    SpacesError.ALREADY_A_MEMBER: 409,
    SpacesError.INVITATION_USED: 409,
    SpacesError.CALL_NOT_OPEN_YET: 409,
    SpacesError.CALL_CLOSED: 409,
    SpacesError.ALREADY_APPLIED: 409,
    SpacesError.NOT_A_DRAFT: 409,
    SpacesError.CANNOT_WITHDRAW: 409,
    SpacesError.STATUS_MOVE_NOT_ALLOWED: 409,
    SpacesError.NOT_UNDER_REVIEW: 409,
    SpacesError.OVER_CAPACITY: 409,
    # Who the caller is keeps them out: 403 Forbidden.
    SpacesError.NOT_A_MEMBER: 403,
    SpacesError.NOT_AN_OWNER: 403,
    SpacesError.NOT_A_CALL_MANAGER: 403,
    SpacesError.NOT_A_REVIEWER: 403,
    SpacesError.CONFLICT_OF_INTEREST: 403,
}
