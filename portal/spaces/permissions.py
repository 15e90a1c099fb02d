"""Who may do what with organisations, applications and reviews: one function per question."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from portal.spaces.models import Application, Call, Membership, Organisation


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def user_manages_every_call(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.has_perm("spaces.manage_every_call"))


def user_is_member(user: Any, organisation: Organisation) -> bool:
    return _active(user) and organisation.memberships.filter(user_id=user.pk).exists()


def user_is_owner(user: Any, organisation: Organisation) -> bool:
    return (
        _active(user)
        and organisation.memberships.filter(user_id=user.pk, role=Membership.Role.OWNER).exists()
    )


def user_sees_application(user: Any, application: Application) -> bool:
    """Members of the applying organisation, and the call's managers once it is submitted."""
    if user_is_member(user, application.organisation):
        return True
    if application.status == Application.Status.DRAFT:
        return False
    return user_manages_call(user, application.call)


def user_manages_call(user: Any, call: Call) -> bool:
    """Whether the user decides on the call's applications."""
    if user_manages_every_call(user):
        return True
    return (
        _active(user)
        and bool(user.has_perm("spaces.change_application"))
        and call.managers.filter(pk=user.pk).exists()
    )


def user_reviews_call(user: Any, call: Call) -> bool:
    return (
        _active(user)
        and bool(user.has_perm("spaces.add_score"))
        and call.reviewers.filter(pk=user.pk).exists()
    )


def user_has_conflict(user: Any, application: Application) -> bool:
    """A declared conflict, or membership of the applying organisation, which is one anyway."""
    return (
        application.conflicts.filter(reviewer_id=user.pk).exists()
        or application.organisation.memberships.filter(user_id=user.pk).exists()
    )


def user_may_review(user: Any, application: Application) -> bool:
    """Whether the user may read and score the application as one of the call's reviewers."""
    return (
        application.status in REVIEWABLE
        and user_reviews_call(user, application.call)
        and not user_has_conflict(user, application)
    )


REVIEWABLE = frozenset(
    {
        Application.Status.SUBMITTED,
        Application.Status.UNDER_REVIEW,
        Application.Status.SHORTLISTED,
        Application.Status.ACCEPTED,
        Application.Status.REJECTED,
        Application.Status.WAITING_LIST,
    }
)


def applications_visible_in_admin(user: Any) -> QuerySet[Application]:
    """The applications the user may open in the admin: as manager, or as a reviewer without a
    conflict. Drafts and withdrawn applications are the organisation's own business."""
    submitted = Application.objects.filter(status__in=REVIEWABLE)
    if user_manages_every_call(user):
        return submitted
    if not _active(user):
        return Application.objects.none()
    managed = Q(call__managers=user) if user.has_perm("spaces.change_application") else Q()
    reviewed = Q()
    if user.has_perm("spaces.add_score"):
        reviewed = (
            Q(call__reviewers=user)
            & ~Q(conflicts__reviewer=user)
            & ~Q(organisation__memberships__user=user)
        )
    condition = managed | reviewed
    if not condition:
        return Application.objects.none()
    return submitted.filter(condition).distinct()


def calls_managed_by(user: Any) -> QuerySet[Call]:
    if user_manages_every_call(user):
        return Call.objects.all()
    if not _active(user):
        return Call.objects.none()
    return Call.objects.filter(Q(managers=user) | Q(reviewers=user)).distinct()
