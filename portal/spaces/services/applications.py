"""Applications to calls: drafts, attachments, submitting, withdrawing, and decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import User
from portal.notifications.services import in_readers_language, notify
from portal.spaces.errors import SpacesError
from portal.spaces.models import Application, Attachment, Call, Organisation, Space
from portal.spaces.notices import SpaceNotice
from portal.spaces.permissions import user_is_member, user_manages_call
from portal.spaces.services.allocation import allocation_create
from portal.spaces.validators import validate_pdf

Status = Application.Status

# Where the call's manager may move an application from each status.
DECISION_MOVES: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.REJECTED}),
    Status.UNDER_REVIEW: frozenset({Status.SHORTLISTED, Status.REJECTED, Status.WAITING_LIST}),
    Status.SHORTLISTED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.WAITING_LIST}),
    Status.WAITING_LIST: frozenset({Status.ACCEPTED, Status.REJECTED}),
}
# An organisation may withdraw until the manager has decided.
WITHDRAWABLE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHORTLISTED})


def _require_member(user: User, organisation: Organisation) -> None:
    if not user_is_member(user, organisation):
        raise ValidationError(
            _("Only members of %(organisation)s can do that.") % {"organisation": organisation},
            code=SpacesError.NOT_A_MEMBER,
        )


def _require_draft(application: Application) -> None:
    if application.status != Status.DRAFT:
        raise ValidationError(
            _("This application has been submitted and can no longer be changed."),
            code=SpacesError.NOT_A_DRAFT,
        )


def eligibility_failures(
    *, call: Call, organisation: Organisation, now: dt.datetime | None = None
) -> list[ValidationError]:
    """Every rule of the call that the organisation fails now, each saying which rule it is."""
    moment = now or timezone.now()
    failures = []
    if moment < call.opens_at:
        failures.append(
            ValidationError(
                _("This call opens on %(date)s.")
                % {"date": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M")},
                code=SpacesError.CALL_NOT_OPEN_YET,
            )
        )
    if moment >= call.closes_at:
        failures.append(
            ValidationError(
                _("This call closed on %(date)s.")
                % {"date": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")},
                code=SpacesError.CALL_CLOSED,
            )
        )
    years = organisation.years_since_founding(timezone.localdate(moment))
    if call.max_years_since_founding is not None and years > call.max_years_since_founding:
        failures.append(
            ValidationError(
                _(
                    "This call is for organisations founded at most %(limit)s years ago; "
                    "%(organisation)s was founded %(years)s years ago."
                )
                % {
                    "limit": call.max_years_since_founding,
                    "organisation": organisation.name,
                    "years": years,
                },
                code=SpacesError.ORGANISATION_TOO_OLD,
            )
        )
    if call.min_team_size is not None and organisation.team_size < call.min_team_size:
        failures.append(
            ValidationError(
                _("This call asks for a team of at least %(limit)s; yours has %(size)s.")
                % {"limit": call.min_team_size, "size": organisation.team_size},
                code=SpacesError.TEAM_TOO_SMALL,
            )
        )
    if call.max_team_size is not None and organisation.team_size > call.max_team_size:
        failures.append(
            ValidationError(
                _("This call is for teams of at most %(limit)s; yours has %(size)s.")
                % {"limit": call.max_team_size, "size": organisation.team_size},
                code=SpacesError.TEAM_TOO_LARGE,
            )
        )
    return failures


def _require_eligible(call: Call, organisation: Organisation) -> None:
    failures = eligibility_failures(call=call, organisation=organisation)
    if failures:
        raise ValidationError(failures)


def _tell_members(application: Application, by: User | None) -> None:
    organisation = application.organisation
    notify(
        users=[membership.user for membership in organisation.memberships.select_related("user")],
        kind=SpaceNotice.APPLICATION_STATUS,
        about=application,
        subject=gettext_lazy("Your application to %(call)s is now: %(status)s"),
        body=gettext_lazy("The application of %(organisation)s to %(call)s is now: %(status)s."),
        params={
            "call": in_readers_language(application.call, "title"),
            "organisation": organisation.name,
            "status": Status(application.status).label,
        },
        link=application.get_absolute_url(),
    )


@transaction.atomic
def application_create(*, call: Call, organisation: Organisation, by: User) -> Application:
    """Start a draft; the organisation must be eligible and the call open."""
    _require_member(by, organisation)
    _require_eligible(call, organisation)
    if Application.objects.filter(call=call, organisation=organisation).exists():
        raise ValidationError(
            _("%(organisation)s has already applied to this call.")
            % {"organisation": organisation.name},
            code=SpacesError.ALREADY_APPLIED,
        )
    try:
        with transaction.atomic():
            return Application.objects.create(call=call, organisation=organisation, created_by=by)
    except IntegrityError:
        raise ValidationError(
            _("%(organisation)s has already applied to this call.")
            % {"organisation": organisation.name},
            code=SpacesError.ALREADY_APPLIED,
        ) from None


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    spaces: Iterable[Space],
    move_in: dt.date | None,
    duration_months: int | None,
    team_size: int | None,
    pitch: str,
    pilot_plan: str,
) -> Application:
    """Save the draft as it is; completeness is checked only when it is submitted."""
    _require_member(by, application.organisation)
    _require_draft(application)
    chosen = list(spaces)
    offered = set(application.call.spaces.values_list("pk", flat=True))
    if any(space.pk not in offered for space in chosen):
        raise ValidationError(
            _("Choose among the spaces this call offers."), code=SpacesError.SPACE_NOT_OFFERED
        )
    application.move_in = move_in
    application.duration_months = duration_months
    application.team_size = team_size
    application.pitch = pitch.strip()
    application.pilot_plan = pilot_plan.strip()
    application.full_clean(exclude=["call", "organisation", "created_by"])
    move_out = application.move_out
    if move_in is not None and move_out is not None:
        for space in chosen:
            if move_in < space.available_from or move_out > space.available_until:
                raise ValidationError(
                    _("%(space)s is available from %(start)s to %(end)s only.")
                    % {
                        "space": space.name,
                        "start": space.available_from,
                        "end": space.available_until,
                    },
                    code=SpacesError.MOVE_IN_OUTSIDE_AVAILABILITY,
                )
    application.save()
    application.spaces.set(chosen)
    return application


@transaction.atomic
def attachment_add(*, application: Application, by: User, upload: UploadedFile[Any]) -> Attachment:
    """Attach a PDF (read by a parser, at most 10 MB) to a draft."""
    _require_member(by, application.organisation)
    _require_draft(application)
    validate_pdf(upload)
    return Attachment.objects.create(
        application=application,
        file=upload,
        name=(upload.name or "document.pdf")[:200],
        size=upload.size or 0,
    )


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    """Send the draft to the call; it must be complete, in time, and the organisation eligible."""
    _require_member(by, application.organisation)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    _require_draft(locked)
    _require_eligible(locked.call, locked.organisation)
    missing = [
        str(getattr(Application._meta.get_field(name), "verbose_name", name))
        for name in ("move_in", "duration_months", "team_size", "pitch")
        if not getattr(locked, name)
    ]
    if not locked.spaces.exists():
        missing.insert(0, str(Application._meta.get_field("spaces").verbose_name))
    if missing:
        raise ValidationError(
            _("Fill in before submitting: %(fields)s.") % {"fields": ", ".join(missing)},
            code=SpacesError.APPLICATION_INCOMPLETE,
        )
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.save(update_fields=["status", "submitted_at", "submitted_by"])
    _tell_members(locked, by)
    notify(
        users=list(locked.call.managers.all()),
        kind=SpaceNotice.APPLICATION_RECEIVED,
        about=locked,
        subject=gettext_lazy("New application to %(call)s"),
        body=gettext_lazy("%(organisation)s submitted an application to %(call)s."),
        params={
            "call": in_readers_language(locked.call, "title"),
            "organisation": locked.organisation.name,
        },
    )
    application.refresh_from_db()
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    """The organisation takes its application back, any time before the manager decides."""
    _require_member(by, application.organisation)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in WITHDRAWABLE:
        raise ValidationError(
            _("An application that is %(status)s can no longer be withdrawn.")
            % {"status": Status(locked.status).label},
            code=SpacesError.CANNOT_WITHDRAW,
        )
    locked.status = Status.WITHDRAWN
    locked.save(update_fields=["status"])
    _tell_members(locked, by)
    application.refresh_from_db()
    return locked


def _reviewers_comments(application: Application) -> str:
    comments = [
        f"- {score.criterion.name}: {score.comment}"
        for score in application.scores.select_related("criterion").order_by(
            "criterion__position", "pk"
        )
        if score.comment.strip()
    ]
    return "\n".join(comments)


@transaction.atomic
def application_decide(
    *,
    application: Application,
    by: User,
    to_status: str,
    space: Space | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    seats: int | None = None,
) -> Application:
    """The call's manager moves the application on (see DECISION_MOVES).

    Accepting allocates a space for dates; by default the first space asked for, from the move-in
    date for the months asked for, for the team moving in. The allocation is refused, and the
    application stays where it was, if it would fill the space beyond its capacity on any day.
    """
    locked = (
        Application.objects.select_for_update()
        .select_related("call", "organisation")
        .get(pk=application.pk)
    )
    if not user_manages_call(by, locked.call):
        raise ValidationError(
            _("Only the call's managers decide on its applications."),
            code=SpacesError.NOT_A_CALL_MANAGER,
        )
    allowed = DECISION_MOVES.get(locked.status, frozenset())
    if to_status not in allowed:
        raise ValidationError(
            _("An application that is %(current)s cannot become %(target)s.")
            % {
                "current": Status(locked.status).label,
                "target": Status(to_status).label if to_status in Status.values else to_status,
            },
            code=SpacesError.STATUS_MOVE_NOT_ALLOWED,
        )
    if to_status == Status.ACCEPTED:
        allocation_create(
            application=locked,
            space=space or locked.spaces.order_by("pk").first(),
            starts_on=starts_on or locked.move_in,
            ends_on=ends_on or locked.move_out,
            seats=seats or locked.team_size,
        )
    locked.status = to_status
    if to_status in {Status.ACCEPTED, Status.REJECTED, Status.WAITING_LIST}:
        locked.decided_at = timezone.now()
        locked.decided_by = by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    _tell_members(locked, by)
    if to_status == Status.REJECTED and locked.call.share_comments_with_rejected:
        comments = _reviewers_comments(locked)
        if comments:
            notify(
                users=[m.user for m in locked.organisation.memberships.select_related("user")],
                kind=SpaceNotice.APPLICATION_STATUS,
                about=locked,
                subject=gettext_lazy("Reviewers' comments on your application to %(call)s"),
                body=gettext_lazy("The reviewers wrote:\n%(comments)s"),
                params={"call": in_readers_language(locked.call, "title"), "comments": comments},
                link=locked.get_absolute_url(),
            )
    application.refresh_from_db()
    return locked
