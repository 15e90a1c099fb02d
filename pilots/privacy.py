"""Pilots' part of a person's data: enrolments, survey answers and questions asked."""

from __future__ import annotations

from typing import Any

from pilots.models import Enrolment
from pilots.services import enrolment_withdraw
from portal.models import User
from portal.privacy import iso


def pilots_export(*, user: User) -> dict[str, Any]:
    return {
        "enrolments": [
            {
                "pilot": enrolment.pilot.slug,
                "status": enrolment.status,
                "consent_version": (
                    enrolment.consent_version.number if enrolment.consent_version else None
                ),
                "consented_at": iso(enrolment.consented_at),
                "consent_data_use": enrolment.consent_data_use,
                "consent_contact": enrolment.consent_contact,
                "queued_at": iso(enrolment.queued_at),
                "joined_at": iso(enrolment.joined_at),
                "withdrawn_at": iso(enrolment.withdrawn_at),
            }
            for enrolment in user.enrolments.select_related("pilot", "consent_version")
        ],
        "survey_responses": [
            {
                "pilot": response.survey.pilot.slug,
                "survey": response.survey.title,
                "submitted_at": iso(response.submitted_at),
                "updated_at": iso(response.updated_at),
                "answers": [
                    {"question": answer.question.prompt, "answer": answer.shown_value}
                    for answer in response.answers.all()
                ],
            }
            for response in user.survey_responses.select_related("survey__pilot").prefetch_related(
                "answers__question"
            )
        ],
        "questions": [
            {
                "pilot": question.pilot.slug,
                "question": question.text,
                "asked_at": iso(question.asked_at),
                "answer": question.answer,
                "published": question.is_published,
            }
            for question in user.pilot_questions.select_related("pilot")
        ],
    }


def pilots_erase(*, user: User) -> None:
    """Withdraw the user from every pilot, deleting their feedback, so places pass on.

    The caller holds the transaction that deletes the account.
    """
    for enrolment in (
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("pilot")
    ):
        enrolment_withdraw(pilot=enrolment.pilot, user=user, delete_feedback=True)
