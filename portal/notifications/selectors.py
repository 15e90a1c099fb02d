"""Reads of notifications: a person's inbox and what they switched off."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import User
from portal.notifications.models import Notification, NotificationOptOut


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def muted_kinds(user: User) -> set[str]:
    """The kinds the user switched off altogether: neither inbox nor e-mail."""
    return set(
        NotificationOptOut.objects.filter(
            user=user, channel=NotificationOptOut.Channel.ALL
        ).values_list("kind", flat=True)
    )


def email_muted_kinds(user: User) -> set[str]:
    """The kinds whose e-mails the user switched off, inbox entries or not."""
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
