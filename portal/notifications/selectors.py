"""Reads of notifications: a person's inbox and what they switched off."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import User
from portal.notifications.models import Notification, NotificationOptOut


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def muted_kinds(user: User) -> set[str]:
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
