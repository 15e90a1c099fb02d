"""Celery tasks of the spaces app: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from portal.spaces import services


@shared_task(acks_late=True)
def invitation_email(invitation_id: int) -> bool:
    return services.invitation_email(invitation_id=invitation_id)
