"""Background work of notifications: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from portal.notifications import services


@shared_task(acks_late=True)
def notifications_email(notification_ids: list[int]) -> int:
    return services.notifications_email(notification_ids=notification_ids)
