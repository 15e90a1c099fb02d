"""Background work of pilots: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from pilots.notifications import notifications_email


@shared_task(acks_late=True)
def email_notifications(notification_ids: list[int]) -> int:
    return notifications_email(notification_ids=notification_ids)
