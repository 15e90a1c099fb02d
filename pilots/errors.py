"""The codes of the errors the pilots services raise, as `ValidationError(..., code=...)`.

The API sends the code of a broken rule to the caller (`{"error": {"code": ...}}`), so a value
here, once released, is part of the API: rename the member if need be, never the value.
"""

from __future__ import annotations

import enum


class PilotErrorCode(enum.StrEnum):
    # Phases.
    BAD_PHASE = "bad_phase"
    REASON_MISSING = "reason_missing"
    PHASE_MOVE_NOT_ALLOWED = "phase_move_not_allowed"
    NO_NEXT_PHASE = "no_next_phase"

    # Consent.
    CONSENT_EMPTY = "consent_empty"
    CONSENT_UNCHANGED = "consent_unchanged"
    NO_CONSENT = "no_consent"
    CONSENT_OUTDATED = "consent_outdated"
    CONSENT_MISSING = "consent_missing"

    # Enrolment and eligibility.
    NOT_JOINABLE = "not_joinable"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ELIGIBLE = "not_eligible"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    NOT_ENROLLED = "not_enrolled"
    ALREADY_CONSENTED = "already_consented"

    # Surveys: answering them, and changing them once answered. The two answer codes are
    # Django's own, so that forms showing them treat them like their own field errors.
    SURVEY_CLOSED = "survey_closed"
    NOT_PARTICIPANT = "not_participant"
    UNKNOWN_QUESTION = "unknown_question"
    ANSWER_REQUIRED = "required"
    ANSWER_INVALID = "invalid"
    FIXED_ONCE_ANSWERED = "fixed_once_answered"

    # Questions and answers.
    QUESTION_EMPTY = "question_empty"
    QUESTION_TOO_LONG = "question_too_long"
    ANSWER_EMPTY = "answer_empty"

    # The area a pilot takes place in.
    AREA_INVALID = "area_invalid"
    AREA_NOT_CLOSED = "area_not_closed"
    AREA_OUTSIDE_SEOUL = "area_outside_seoul"
    AREA_TOO_DETAILED = "area_too_detailed"


# How the API answers the refusals that the request's form does not explain (portal.rest); every
# other code answers 400.
API_STATUSES: dict[str, int] = {
    # The state of the pilot, its consent text, its survey or the resident's enrolment refuses
    # the request now, though it may not later (or did not earlier): 409 Conflict.
    PilotErrorCode.NOT_JOINABLE: 409,
    PilotErrorCode.ALREADY_ENROLLED: 409,
    PilotErrorCode.NO_CONSENT: 409,
    PilotErrorCode.CONSENT_OUTDATED: 409,
    PilotErrorCode.NOT_ENROLLED: 409,
    PilotErrorCode.ALREADY_CONSENTED: 409,
    PilotErrorCode.SURVEY_CLOSED: 409,
    PilotErrorCode.FIXED_ONCE_ANSWERED: 409,
    PilotErrorCode.PHASE_MOVE_NOT_ALLOWED: 409,
    PilotErrorCode.NO_NEXT_PHASE: 409,
    # Who the caller is keeps them out: 403 Forbidden.
    PilotErrorCode.EMAIL_NOT_VERIFIED: 403,
    PilotErrorCode.NOT_ELIGIBLE: 403,
    PilotErrorCode.NOT_PARTICIPANT: 403,
}
