"""State changes of reports, split by concern; the public names are re-exported here."""

from __future__ import annotations

from portal.reports.services.alerts import (
    area_alert_create,
    area_alert_delete,
    area_followers,
    reports_alert_area,
)
from portal.reports.services.filing import report_create, report_support
from portal.reports.services.keys import open311_key_check, open311_key_create, open311_key_revoke
from portal.reports.services.workflow import (
    report_assign,
    report_merge,
    report_reopen,
    report_status_change,
    report_update_post,
)

__all__ = [
    "area_alert_create",
    "area_alert_delete",
    "area_followers",
    "open311_key_check",
    "open311_key_create",
    "open311_key_revoke",
    "report_assign",
    "report_create",
    "report_merge",
    "report_reopen",
    "report_status_change",
    "report_support",
    "report_update_post",
    "reports_alert_area",
]
