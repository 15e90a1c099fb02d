"""State changes of pilots: phases, consent, enrolment, surveys and questions.

Each function here is the one way its change happens, whether it comes from a page, the API, the
admin or a task. Rules are broken with a ValidationError whose message is meant for the person who
tried and whose code comes from `pilots.errors.PilotErrorCode`; nothing is written when one is
raised. One module per concern; callers import the package, which names them all.
"""

from __future__ import annotations

from pilots.services.consent import consent_version_publish, consent_version_validate
from pilots.services.enrolment import (
    EligibilityFailure,
    eligibility_failures,
    enrolment_join,
    enrolment_reconsent,
    enrolment_withdraw,
    pilot_capacity_set,
)
from pilots.services.phases import (
    NEXT_PHASE,
    PHASE_MOVES,
    WAITING_LIST_CLOSED_PHASES,
    pilot_advance_phase,
    pilot_change_phase,
)
from pilots.services.proposals import pilot_propose
from pilots.services.questions import (
    pilot_question_answer,
    pilot_question_answer_validate,
    pilot_question_ask,
)
from pilots.services.surveys import (
    QUESTION_FIXED_ONCE_ANSWERED,
    SURVEY_FIXED_ONCE_ANSWERED,
    survey_announce,
    survey_question_validate,
    survey_submit,
)

__all__ = [
    "NEXT_PHASE",
    "PHASE_MOVES",
    "QUESTION_FIXED_ONCE_ANSWERED",
    "SURVEY_FIXED_ONCE_ANSWERED",
    "WAITING_LIST_CLOSED_PHASES",
    "EligibilityFailure",
    "consent_version_publish",
    "consent_version_validate",
    "eligibility_failures",
    "enrolment_join",
    "enrolment_reconsent",
    "enrolment_withdraw",
    "pilot_advance_phase",
    "pilot_capacity_set",
    "pilot_change_phase",
    "pilot_propose",
    "pilot_question_answer",
    "pilot_question_answer_validate",
    "pilot_question_ask",
    "survey_announce",
    "survey_question_validate",
    "survey_submit",
]
