"""What the portal holds about a person: export it all as JSON, or delete the account.

Personal data goes with the account; reports stay for the city's record, anonymised (their
reporter is set to nothing by the foreign key).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from pilots.models import Enrolment
from pilots.services import enrolment_withdraw
from portal.models import User


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about the user, in a shape meant to be read by them."""
    return {
        "exported_at": _iso(timezone.now()),
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
            "home_district": user.home_district.slug if user.home_district else None,
            "birth_date": _iso(user.birth_date),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "enrolments": [
            {
                "pilot": enrolment.pilot.slug,
                "status": enrolment.status,
                "consent_version": (
                    enrolment.consent_version.number if enrolment.consent_version else None
                ),
                "consented_at": _iso(enrolment.consented_at),
                "consent_data_use": enrolment.consent_data_use,
                "consent_contact": enrolment.consent_contact,
                "queued_at": _iso(enrolment.queued_at),
                "joined_at": _iso(enrolment.joined_at),
                "withdrawn_at": _iso(enrolment.withdrawn_at),
            }
            for enrolment in user.enrolments.select_related("pilot", "consent_version")
        ],
        "survey_responses": [
            {
                "pilot": response.survey.pilot.slug,
                "survey": response.survey.title,
                "submitted_at": _iso(response.submitted_at),
                "updated_at": _iso(response.updated_at),
                "answers": [
                    {"question": answer.question.prompt, "answer": answer.value}
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
                "asked_at": _iso(question.asked_at),
                "answer": question.answer,
                "published": question.is_published,
            }
            for question in user.pilot_questions.select_related("pilot")
        ],
        "reports": [
            {
                "id": report.pk,
                "category": report.category,
                "description": report.description,
                "latitude": report.latitude,
                "longitude": report.longitude,
                "status": report.status,
                "created_at": _iso(report.created_at),
            }
            for report in user.reports.all()
        ],
        "notifications": [
            {
                "kind": notice.kind,
                "subject": notice.subject,
                "body": notice.body,
                "created_at": _iso(notice.created_at),
                "read_at": _iso(notice.read_at),
            }
            for notice in user.notifications.all()
        ],
        "notification_opt_outs": sorted(user.notification_opt_outs.values_list("kind", flat=True)),
    }


@transaction.atomic
def user_delete_account(*, user: User) -> None:
    """Delete the account and the personal data hanging off it; keep reports, anonymised.

    Places the user held in pilots are handed to the next on each waiting list first.
    """
    for enrolment in (
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("pilot")
    ):
        enrolment_withdraw(pilot=enrolment.pilot, user=user, delete_feedback=True)
    user.delete()
