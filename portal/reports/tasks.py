"""Celery tasks of reports: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from portal.reports.services import reports_alert_area as _alert_area


@shared_task(acks_late=True)
def reports_alert_area(report_id: int) -> int:
    """Tell area followers of a new report; idempotent."""
    return _alert_area(report_id=report_id)
