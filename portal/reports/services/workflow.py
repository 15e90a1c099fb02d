"""The one road every report travels: open → acknowledged → in progress → closed.

Each move records a public history entry and tells the reporter, the supporters and the people
following the area, through `portal.notifications`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.notifications.services import notify
from portal.reports.errors import ReportError
from portal.reports.models import REOPEN_DAYS, Report, ReportUpdate, Support
from portal.reports.notices import ReportNotice, category_name
from portal.reports.services.alerts import area_followers

Status = Report.Status

# Where a report may go from each status (reopening a closed report has its own service).
TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.CLOSED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.CLOSED},
    Status.IN_PROGRESS: {Status.CLOSED},
    Status.CLOSED: set(),
}


def _tell(report: Report, entry: ReportUpdate) -> None:
    """Notify the reporter and supporters, then area followers not told already."""
    involved = {user for user in [report.reporter, *report.supporters.all()] if user is not None}
    author_id = entry.author_id
    # Lazy: each notice is written in its recipient's language, not in the author's.
    params = {
        "id": report.pk,
        "category": category_name(report.category),
        "status": Status(report.status).label,
        "text": entry.text,
    }
    notify(
        users=[user for user in involved if user.pk != author_id],
        kind=ReportNotice.REPORT_UPDATE,
        about=report,
        subject=_("Report #%(id)s: %(status)s"),
        body=_("Your report (%(category)s) is now: %(status)s. %(text)s"),
        params=params,
        link=report.get_absolute_url(),
    )
    followers = [
        user for user in area_followers(report) if user not in involved and user.pk != author_id
    ]
    notify(
        users=followers,
        kind=ReportNotice.AREA_UPDATE,
        about=report,
        subject=_("Report #%(id)s near you: %(status)s"),
        body=_("A report in an area you follow (%(category)s) is now: %(status)s. %(text)s"),
        params=params,
        link=report.get_absolute_url(),
    )


def _lock(report: Report) -> Report:
    # Only the report's row: PostgreSQL cannot lock the nullable side of the reporter's outer join.
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "reporter")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_status_change(
    *,
    report: Report,
    actor: User | None,
    status: str,
    resolution: str = "",
    text: str = "",
) -> Report:
    """Move the report to `status`, with a public text; closing needs a resolution.

    The caller has checked `permissions.user_triages_reports(actor)`. Times to acknowledge and to
    close are recorded the first time the report leaves "open" and each time it is closed.
    Closing as a duplicate goes through `report_merge`, which names the original.
    """
    locked = _lock(report)
    if status not in TRANSITIONS.get(locked.status, set()):
        raise ValidationError(
            _("A report cannot move from %(old)s to %(new)s."),
            code=ReportError.TRANSITION_INVALID,
            params={"old": locked.get_status_display(), "new": status},
        )
    if status == Status.CLOSED and resolution not in {
        Report.Resolution.FIXED,
        Report.Resolution.NOT_ACTIONABLE,
        Report.Resolution.DUPLICATE,
    }:
        raise ValidationError(
            _("Say how the report was closed."), code=ReportError.RESOLUTION_MISSING
        )
    now = timezone.now()
    locked.status = status
    if locked.acknowledged_at is None:
        locked.acknowledged_at = now
    if status == Status.CLOSED:
        locked.closed_at = now
        locked.resolution = resolution
    locked.save(
        update_fields=["status", "acknowledged_at", "closed_at", "resolution", "updated_at"]
    )
    entry = ReportUpdate.objects.create(
        report=locked,
        kind=ReportUpdate.Kind.STATUS,
        author=actor,
        status=status,
        resolution=locked.resolution if status == Status.CLOSED else "",
        text=text.strip(),
    )
    _tell(locked, entry)
    return locked


@transaction.atomic
def report_update_post(*, report: Report, actor: User | None, text: str) -> ReportUpdate:
    """Publish an official update on the report without moving it."""
    if not text.strip():
        raise ValidationError(_("Write the update."), code=ReportError.REASON_MISSING)
    locked = _lock(report)
    entry = ReportUpdate.objects.create(
        report=locked,
        kind=ReportUpdate.Kind.UPDATE,
        author=actor,
        status=locked.status,
        text=text.strip(),
    )
    _tell(locked, entry)
    return entry


@transaction.atomic
def report_assign(*, report: Report, actor: User | None, assignee: User | None) -> Report:
    """Give the report to `assignee` (or to nobody). Not announced to the public.

    The caller has checked `permissions.user_triages_reports(actor)` and that the assignee works
    in the admin. The assignee hears of it (inbox and e-mail, unless they switched the kind off)
    when the report is newly theirs and someone else gave it to them.
    """
    locked = _lock(report)
    previous_id = locked.assignee_id
    locked.assignee = assignee
    locked.save(update_fields=["assignee", "updated_at"])
    ReportUpdate.objects.create(
        report=locked, kind=ReportUpdate.Kind.ASSIGN, author=actor, status=locked.status
    )
    if (
        assignee is not None
        and assignee.pk != previous_id
        and assignee.pk != getattr(actor, "pk", None)
    ):
        notify(
            users=[assignee],
            kind=ReportNotice.ASSIGNED,
            about=locked,
            subject=_("Report #%(id)s is assigned to you"),
            body=_(
                "Report #%(id)s (%(category)s, %(status)s) is now yours to handle. %(description)s"
            ),
            params={
                "id": locked.pk,
                "category": category_name(locked.category),
                "status": Status(locked.status).label,
                "description": locked.description[:200],
            },
            link=reverse("admin:reports_report_change", args=[locked.pk]),
        )
    return locked


@transaction.atomic
def report_merge(*, duplicate: Report, original: Report, actor: User | None) -> Report:
    """Close `duplicate` as a duplicate of `original`; its reporter and supporters move across.

    The original must be a different report that is not itself a merged duplicate.
    """
    if duplicate.pk == original.pk or original.duplicate_of_id is not None:
        raise ValidationError(
            _("Choose a different original report."), code=ReportError.MERGE_INVALID
        )
    target = _lock(original)
    locked = _lock(duplicate)
    if locked.status == Status.CLOSED:
        raise ValidationError(_("This report is already closed."), code=ReportError.ALREADY_CLOSED)
    movers = set(Support.objects.filter(report=locked).values_list("user_id", flat=True))
    if locked.reporter_id is not None:
        movers.add(locked.reporter_id)
    if target.reporter_id is not None:
        movers.discard(target.reporter_id)
    existing = set(Support.objects.filter(report=target).values_list("user_id", flat=True))
    Support.objects.bulk_create(
        [Support(report=target, user_id=user_id) for user_id in sorted(movers - existing)]
    )
    Support.objects.filter(report=locked).delete()
    count = Support.objects.filter(report=target).aggregate(n=Count("pk"))["n"]
    Report.objects.filter(pk=target.pk).update(support_count=count)
    Report.objects.filter(pk=locked.pk).update(support_count=0, duplicate_of=target)
    locked.duplicate_of = target
    ReportUpdate.objects.create(
        report=target,
        kind=ReportUpdate.Kind.MERGE,
        author=actor,
        status=target.status,
        text=str(_("Report #%(id)s was merged into this one.") % {"id": locked.pk}),
    )
    return report_status_change(
        report=locked,
        actor=actor,
        status=Status.CLOSED,
        resolution=Report.Resolution.DUPLICATE,
        text=str(_("Duplicate of report #%(id)s.") % {"id": target.pk}),
    )


@transaction.atomic
def report_reopen(*, report: Report, user: User, reason: str) -> Report:
    """The reporter reopens a report closed as fixed, within 30 days, saying why."""
    locked = _lock(report)
    if locked.reporter_id != user.pk:
        raise ValidationError(
            _("Only the reporter may reopen a report."), code=ReportError.REOPEN_NOT_ALLOWED
        )
    if locked.status != Status.CLOSED or locked.resolution != Report.Resolution.FIXED:
        raise ValidationError(
            _("Only a report closed as fixed can be reopened."),
            code=ReportError.REOPEN_NOT_ALLOWED,
        )
    if locked.closed_at is None or timezone.now() - locked.closed_at > datetime.timedelta(
        days=REOPEN_DAYS
    ):
        raise ValidationError(
            _("A report can be reopened within 30 days of being closed."),
            code=ReportError.REOPEN_TOO_LATE,
        )
    if not reason.strip():
        raise ValidationError(
            _("Say why the problem is not fixed."), code=ReportError.REASON_MISSING
        )
    locked.status = Status.OPEN
    locked.resolution = ""
    # The next close records a new time to close; the first acknowledgement stays.
    locked.closed_at = None
    locked.save(update_fields=["status", "resolution", "closed_at", "updated_at"])
    entry = ReportUpdate.objects.create(
        report=locked,
        kind=ReportUpdate.Kind.REOPEN,
        author=user,
        status=Status.OPEN,
        text=reason.strip(),
    )
    _tell(locked, entry)
    return locked
