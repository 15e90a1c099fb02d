"""Reports' part of a person's data: the reports they filed.

Reports outlive the account that filed them, anonymised: the foreign key sets the reporter to
nothing when the account is deleted.
"""

from __future__ import annotations

from typing import Any

from portal.models import User
from portal.privacy import iso


def reports_export(*, user: User) -> dict[str, Any]:
    return {
        "reports": [
            {
                "id": report.pk,
                "category": report.category,
                "description": report.description,
                "latitude": report.latitude,
                "longitude": report.longitude,
                "status": report.status,
                "created_at": iso(report.created_at),
            }
            for report in user.reports.all()
        ]
    }
