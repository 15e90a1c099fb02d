"""A pilot's way through its phases, from proposed to scaled up or stopped."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors
from pilots.errors import PilotErrorCode
from pilots.models import JOINABLE_PHASES, Enrolment, PhaseChange, Pilot, Survey
from pilots.notices import PilotNotice
from pilots.services.common import manager_required, pilot_locked
from pilots.services.surveys import survey_announce_if_open
from portal.cache import Scope, cache_version_bump
from portal.models import User
from portal.notifications.services import in_readers_language, notify

Phase = Pilot.Phase

# Where a pilot may go from each phase. Extended pilots come back to evaluation when the extra
# time is over; any pilot that has not ended may be stopped; scaled-up and stopped are final.
PHASE_MOVES: dict[str, frozenset[str]] = {
    Phase.PROPOSED: frozenset({Phase.RECRUITING, Phase.STOPPED}),
    Phase.RECRUITING: frozenset({Phase.RUNNING, Phase.STOPPED}),
    Phase.RUNNING: frozenset({Phase.EVALUATING, Phase.STOPPED}),
    Phase.EVALUATING: frozenset({Phase.SCALED_UP, Phase.EXTENDED, Phase.STOPPED}),
    Phase.EXTENDED: frozenset({Phase.EVALUATING, Phase.STOPPED}),
    Phase.SCALED_UP: frozenset(),
    Phase.STOPPED: frozenset(),
}

# The one obvious next phase, where there is one; after evaluation someone has to decide.
NEXT_PHASE: dict[str, str] = {
    Phase.PROPOSED: Phase.RECRUITING,
    Phase.RECRUITING: Phase.RUNNING,
    Phase.RUNNING: Phase.EVALUATING,
    Phase.EXTENDED: Phase.EVALUATING,
}


def _phases_reachable_from(phase: str) -> set[str]:
    reached = {phase}
    todo = [phase]
    while todo:
        for target in PHASE_MOVES[todo.pop()]:
            if target not in reached:
                reached.add(target)
                todo.append(target)
    return reached


# Phases from which a pilot can never again recruit or run: entering one closes the waiting list,
# since nobody on it could ever get a place (from evaluation on, with the moves above).
WAITING_LIST_CLOSED_PHASES = frozenset(
    phase for phase in Phase.values if not _phases_reachable_from(phase) & JOINABLE_PHASES
)


@transaction.atomic
def pilot_change_phase(
    *,
    pilot: Pilot,
    to_phase: str,
    by: User,
    reason: str,
    is_public: bool = True,
    public_note: str = "",
) -> PhaseChange:
    """Move the pilot to `to_phase` if PHASE_MOVES allows it, and record who, when and why.

    Participants hear of it; surveys of the new phase open and their participants are told.
    The caller must be one of the pilot's managers (or staff).
    """
    manager_required(by, pilot)
    locked = pilot_locked(pilot)
    if to_phase not in Phase.values:
        raise ValidationError(
            _("“%(phase)s” is not a phase.") % {"phase": to_phase}, code=PilotErrorCode.BAD_PHASE
        )
    if not reason.strip():
        raise ValidationError(
            _("Say why the pilot changes phase."), code=PilotErrorCode.REASON_MISSING
        )
    current = locked.phase
    allowed = PHASE_MOVES[current]
    if to_phase not in allowed:
        names = ", ".join(str(Phase(phase).label) for phase in Phase.values if phase in allowed)
        raise ValidationError(
            _("A pilot that is %(current)s cannot become %(target)s. %(options)s")
            % {
                "current": Phase(current).label,
                "target": Phase(to_phase).label,
                "options": (
                    _("It can become: %(names)s.") % {"names": names}
                    if names
                    else _("This phase is final.")
                ),
            },
            code=PilotErrorCode.PHASE_MOVE_NOT_ALLOWED,
        )
    locked.phase = to_phase
    locked.save(update_fields=["phase", "updated_at"])
    pilot.phase = to_phase
    change = PhaseChange.objects.create(
        pilot=locked,
        from_phase=current,
        to_phase=to_phase,
        changed_by=by,
        reason=reason.strip(),
        is_public=is_public,
        public_note=public_note.strip(),
    )
    participants = [enrolment.user for enrolment in selectors.participating(locked)]
    notify(
        users=participants,
        kind=PilotNotice.PHASE_CHANGE,
        about=locked,
        subject=gettext_lazy("%(pilot)s is now %(phase)s"),
        body=gettext_lazy(
            "The pilot %(pilot)s you take part in has moved from %(old)s to %(phase)s."
        ),
        params={
            "pilot": in_readers_language(locked, "title"),
            "phase": Phase(to_phase).label,
            "old": Phase(current).label,
        },
        link=locked.get_absolute_url(),
    )
    if to_phase in WAITING_LIST_CLOSED_PHASES:
        _close_waiting_list(locked)
    opening = Survey.objects.filter(pilot=locked, phase=to_phase, announced_at__isnull=True)
    for survey in opening.select_related("pilot"):
        survey_announce_if_open(survey=survey, locked_pilot=locked)
    cache_version_bump(Scope.PILOTS)
    return change


def _close_waiting_list(locked: Pilot) -> None:
    """Take everyone off the waiting list of a pilot that will take nobody in again, and say so."""
    waiting = list(
        Enrolment.objects.filter(pilot=locked, status=Enrolment.Status.WAITING).select_related(
            "user"
        )
    )
    if not waiting:
        return
    Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in waiting]).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    notify(
        users=[enrolment.user for enrolment in waiting],
        kind=PilotNotice.WAITING_LIST,
        about=locked,
        subject=gettext_lazy("The waiting list of %(pilot)s is closed"),
        body=gettext_lazy(
            "%(pilot)s is now %(phase)s and will take no more residents in, so its waiting list "
            "is closed and you are no longer on it. Thank you for your interest."
        ),
        params={
            "pilot": in_readers_language(locked, "title"),
            "phase": Phase(locked.phase).label,
        },
        link=locked.get_absolute_url(),
    )


def pilot_advance_phase(*, pilot: Pilot, by: User, reason: str) -> PhaseChange:
    """Move the pilot to its one obvious next phase (see NEXT_PHASE)."""
    target = NEXT_PHASE.get(pilot.phase)
    if target is None:
        raise ValidationError(
            _(
                "A pilot that is %(phase)s has no single next phase; "
                "choose what happens to it on its page."
            )
            % {"phase": Phase(pilot.phase).label},
            code=PilotErrorCode.NO_NEXT_PHASE,
        )
    return pilot_change_phase(pilot=pilot, to_phase=target, by=by, reason=reason)
