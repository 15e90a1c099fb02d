"""The spaces app's part of a person's data: the organisations they belong to, the invitations
sent to them or by them, the applications they started or submitted, and their reviews.

When the account goes, its memberships go with it, but no organisation is left without an owner
(see `services.organisations_leave`); applications and allocations stay, as the organisation's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.models import User
from portal.privacy import iso
from portal.spaces import services
from portal.spaces.models import Application, ConflictOfInterest, Invitation, Membership, Score


def spaces_export(*, user: User) -> dict[str, Any]:
    sent_or_received = Q(invited_by=user)
    if (user.email or "").strip():
        sent_or_received |= Q(email__iexact=user.email.strip())
    invitations = Invitation.objects.filter(sent_or_received)
    applications = (
        Application.objects.filter(Q(created_by=user) | Q(submitted_by=user))
        .select_related("call", "organisation", "created_by", "submitted_by")
        .prefetch_related("spaces", "attachments")
        .order_by("created_at", "pk")
    )
    return {
        "organisations": [
            {
                "organisation": membership.organisation.name,
                "registration_number": membership.organisation.registration_number,
                "role": membership.role,
                "joined_at": iso(membership.joined_at),
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("joined_at", "pk")
        ],
        "organisation_invitations": [
            {
                "organisation": invitation.organisation.name,
                "email": invitation.email,
                "sent_by_me": invitation.invited_by_id == user.pk,
                "created_at": iso(invitation.created_at),
                "accepted_at": iso(invitation.accepted_at),
            }
            for invitation in invitations.select_related("organisation").order_by("created_at")
        ],
        "space_applications": [
            {
                "organisation": application.organisation.name,
                "call": application.call.title,
                "status": application.status,
                "started_by_me": application.created_by_id == user.pk,
                "submitted_by_me": application.submitted_by_id == user.pk,
                "spaces": [space.name for space in application.spaces.all()],
                "move_in": iso(application.move_in),
                "duration_months": application.duration_months,
                "team_size": application.team_size,
                "pitch": application.pitch,
                "pilot_plan": application.pilot_plan,
                "attachments": [attachment.name for attachment in application.attachments.all()],
                "created_at": iso(application.created_at),
                "submitted_at": iso(application.submitted_at),
            }
            for application in applications
        ],
        "space_reviews": {
            "scores": [
                {
                    "application": str(score.application),
                    "criterion": score.criterion.name,
                    "score": score.score,
                    "comment": score.comment,
                    "scored_at": iso(score.scored_at),
                }
                for score in Score.objects.filter(reviewer=user).select_related(
                    "application__organisation", "application__call", "criterion"
                )
            ],
            "conflicts_declared": [
                {
                    "application": str(conflict.application),
                    "reason": conflict.reason,
                    "declared_at": iso(conflict.declared_at),
                }
                for conflict in ConflictOfInterest.objects.filter(reviewer=user).select_related(
                    "application__organisation", "application__call"
                )
            ],
        },
    }


def spaces_erase(*, user: User) -> None:
    """Leave every organisation, handing ownership on, and forget invitations to the address.

    The caller holds the transaction that deletes the account.
    """
    services.organisations_leave(user=user)
    if user.email:
        services.invitations_forget(email=user.email)
