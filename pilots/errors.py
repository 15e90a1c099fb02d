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
