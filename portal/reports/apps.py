from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "portal.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from portal.notifications.registry import kinds_register
        from portal.reports import admin  # noqa: F401
        from portal.reports.errors import API_STATUSES
        from portal.reports.notices import ReportNotice
        from portal.rest import refusal_statuses_register

        kinds_register(ReportNotice)
        refusal_statuses_register(API_STATUSES)
