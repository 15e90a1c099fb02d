"""Who may do what with reports: one function per question."""

from __future__ import annotations

from typing import Any

from portal.reports.models import Report


def user_may_report(user: Any) -> bool:
    """Whether the user may file reports and say "me too" (an active, logged-in account)."""
    return bool(user.is_authenticated and user.is_active)


def user_triages_reports(user: Any) -> bool:
    """Whether the user may move reports through the workflow, assign, merge and export them."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("reports.change_report"))


def user_sees_private_report_data(user: Any, report: Report) -> bool:
    """Whether the user may see the reporter's identity, contact details and the exact place.

    The reporter sees their own; triage sees every report's.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    return report.reporter_id == user.pk or user_triages_reports(user)


def user_may_reopen(user: Any, report: Report) -> bool:
    """Only the reporter may reopen their report (within the window the service checks)."""
    return bool(user.is_authenticated and user.is_active and report.reporter_id == user.pk)


def user_may_support(user: Any, report: Report) -> bool:
    """Any citizen but the reporter may say "me too" to an open report."""
    return (
        user_may_report(user)
        and report.reporter_id != user.pk
        and report.status != Report.Status.CLOSED
    )
