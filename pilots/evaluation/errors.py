"""The codes of the errors evaluation's services raise, as the API reports them."""

from __future__ import annotations

from enum import StrEnum


class EvaluationErrorCode(StrEnum):
    PLAN_INVALID = "evaluation_plan_invalid"
    AMENDMENT_REASON_MISSING = "evaluation_amendment_reason_missing"
    PLAN_UNCHANGED = "evaluation_plan_unchanged"
    NO_PLAN = "evaluation_no_plan"
    NOT_SCORABLE = "evaluation_not_scorable"
    DECISION_REASON_MISSING = "evaluation_decision_reason_missing"
    DECISION_NOT_ALLOWED = "evaluation_decision_not_allowed"
    NEXT_DISTRICTS_MISSING = "evaluation_next_districts_missing"
