"""Reports' part of a person's data: the reports they filed, with their photos, the reports they
support, and the areas they follow.

Reports outlive the account that filed them, anonymised: the foreign key sets the reporter to
nothing when the account is deleted, and supports and area alerts go with the account.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from portal.models import User
from portal.privacy import iso


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def reports_export(*, user: User) -> dict[str, Any]:
    return {
        "reports": [
            {
                "id": report.pk,
                "category": report.category.code,
                "description": report.description,
                "latitude": report.latitude,
                "longitude": report.longitude,
                "address": report.address,
                "status": report.status,
                "resolution": report.resolution,
                "show_name": report.show_name,
                "created_at": iso(report.created_at),
                "closed_at": iso(report.closed_at),
                "photos": [_absolute(photo.image.url) for photo in report.photos.all()],
            }
            for report in user.reports.select_related("category").prefetch_related("photos")
        ],
        "supported_reports": list(user.report_supports.values_list("report_id", flat=True)),
        "report_alerts": [
            alert.describe() for alert in user.report_alerts.select_related("district")
        ],
    }
