"""State changes of pilots: phases, consent, enrolment, surveys and questions.

Each function here is the one way its change happens, whether it comes from a page, the API, the
admin or a task. Rules are broken with a ValidationError whose message is meant for the person who
tried, and nothing is written when one is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors
from pilots.models import (
    JOINABLE_PHASES,
    ConsentVersion,
    EligibilityRule,
    Enrolment,
    PhaseChange,
    Pilot,
    PilotQuestion,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from pilots.notices import PilotNotice
from pilots.permissions import user_manages_pilot
from portal.models import User
from portal.notifications.services import notify

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

MAX_TEXT = 4000


def _locked(pilot: Pilot) -> Pilot:
    """The pilot's row, locked until the transaction ends; serialises joins and phase moves."""
    return Pilot.objects.select_for_update().get(pk=pilot.pk)


def _require_manager(user: User, pilot: Pilot) -> None:
    if not user_manages_pilot(user, pilot):
        raise PermissionDenied(_("Only this pilot's managers can do that."))


# --- Phases ----------------------------------------------------------------------------------


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
    _require_manager(by, pilot)
    locked = _locked(pilot)
    if to_phase not in Phase.values:
        raise ValidationError(_("“%(phase)s” is not a phase.") % {"phase": to_phase}, "bad_phase")
    if not reason.strip():
        raise ValidationError(_("Say why the pilot changes phase."), code="reason_missing")
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
            code="phase_move_not_allowed",
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
            "pilot": locked.title,
            "phase": Phase(to_phase).label,
            "old": Phase(current).label,
        },
        link=locked.get_absolute_url(),
    )
    if to_phase in WAITING_LIST_CLOSED_PHASES:
        _close_waiting_list(locked)
    opening = Survey.objects.filter(pilot=locked, phase=to_phase, announced_at__isnull=True)
    for survey in opening.select_related("pilot"):
        _announce_if_open(survey, locked)
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
        params={"pilot": locked.title, "phase": Phase(locked.phase).label},
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
            code="no_next_phase",
        )
    return pilot_change_phase(pilot=pilot, to_phase=target, by=by, reason=reason)


# --- Consent ---------------------------------------------------------------------------------


def consent_version_validate(*, pilot: Pilot, text: str) -> str:
    """The text as it would be published, or a ValidationError saying why it cannot be.

    Forms call this before saving so that the manager sees the reason next to the text; the
    publishing service calls it again under the pilot's lock. `pilot` may be still unsaved.
    """
    text = text.strip()
    if not text:
        raise ValidationError(_("The consent text is empty."), code="consent_empty")
    current = selectors.current_consent(pilot) if pilot.pk else None
    if current is not None and current.text == text:
        raise ValidationError(
            _("This text is the same as the current version."), code="consent_unchanged"
        )
    return text


@transaction.atomic
def consent_version_publish(*, pilot: Pilot, text: str, by: User) -> ConsentVersion:
    """Publish a new consent text; every participant counts as inactive until they agree to it."""
    _require_manager(by, pilot)
    locked = _locked(pilot)
    text = consent_version_validate(pilot=locked, text=text)
    current = selectors.current_consent(locked)
    number = (locked.consent_versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ConsentVersion.objects.create(pilot=locked, number=number, text=text, published_by=by)
    # Only those holding a place are told now; residents on the waiting list keep their old
    # consent and are asked to agree to the new text when a place becomes theirs (_fill_places).
    if current is not None:
        notify(
            users=[enrolment.user for enrolment in selectors.participating(locked)],
            kind=PilotNotice.CONSENT_UPDATE,
            about=locked,
            subject=gettext_lazy("Please read the new consent text of %(pilot)s"),
            body=gettext_lazy(
                "The consent text of %(pilot)s has changed. Until you agree to the new version "
                "you count as an inactive participant."
            ),
            params={"pilot": locked.title},
            link=locked.get_absolute_url() + "join/",
        )
    return version


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def eligibility_failures(*, pilot: Pilot, user: User) -> list[str]:
    """A sentence for each of the pilot's rules that the user does not meet; empty if eligible."""
    failures = []
    today = timezone.localdate()
    for rule in pilot.eligibility_rules.all():
        if rule.kind == EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS:
            districts = list(pilot.districts.all())
            if user.home_district_id not in {district.pk for district in districts}:
                failures.append(
                    _(
                        "This pilot is for residents of %(districts)s; your home district is "
                        "%(home)s."
                    )
                    % {
                        "districts": ", ".join(district.name for district in districts),
                        "home": user.home_district.name if user.home_district else _("not set"),
                    }
                )
        elif rule.kind in EligibilityRule.KINDS_WITH_VALUE:
            if user.birth_date is None:
                failures.append(
                    _(
                        "This pilot has an age limit; add your birth date on your "
                        "“My living lab” page first."
                    )
                )
                continue
            age = _age_on(user.birth_date, today)
            if rule.kind == EligibilityRule.Kind.MINIMUM_AGE and age < (rule.value or 0):
                failures.append(
                    _("This pilot is for people aged %(age)s or over.") % {"age": rule.value}
                )
            if rule.kind == EligibilityRule.Kind.MAXIMUM_AGE and age > (rule.value or 0):
                failures.append(
                    _("This pilot is for people aged %(age)s or under.") % {"age": rule.value}
                )
    return failures


def _check_consent(
    pilot: Pilot, consent_version: int | None, consent_data_use: bool, consent_contact: bool
) -> ConsentVersion:
    current = selectors.current_consent(pilot)
    if current is None:
        raise ValidationError(
            _("This pilot has no consent text yet, so nobody can join it."), code="no_consent"
        )
    if consent_version != current.number:
        raise ValidationError(
            _(
                "The consent text has changed since you opened it (now version %(number)s). "
                "Please read it again."
            )
            % {"number": current.number},
            code="consent_outdated",
        )
    missing = []
    if not consent_data_use:
        missing.append(_("the use of your data"))
    if not consent_contact:
        missing.append(_("being contacted about the pilot"))
    if missing:
        raise ValidationError(
            _("To take part you must agree to %(items)s.") % {"items": _(" and ").join(missing)},
            code="consent_missing",
        )
    return current


# --- Enrolment -------------------------------------------------------------------------------


@transaction.atomic
def enrolment_join(
    *,
    pilot: Pilot,
    user: User,
    consent_version: int | None,
    consent_data_use: bool,
    consent_contact: bool,
) -> Enrolment:
    """Enrol the user, or put them on the waiting list when every place is taken.

    The pilot's row stays locked from counting the places to taking one, so two residents
    asking for the last place at once cannot both get it.
    """
    locked = _locked(pilot)
    if not locked.is_open_to_join:
        raise ValidationError(
            _("This pilot is %(phase)s; residents can join only while it recruits or runs.")
            % {"phase": Phase(locked.phase).label},
            code="not_joinable",
        )
    existing = Enrolment.objects.filter(pilot=locked, user=user).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        raise ValidationError(
            _("You are already %(status)s in this pilot.")
            % {"status": existing.get_status_display().lower()},
            code="already_enrolled",
        )
    version = _check_consent(locked, consent_version, consent_data_use, consent_contact)
    failures = eligibility_failures(pilot=locked, user=user)
    if failures:
        raise ValidationError(" ".join(failures), code="not_eligible")
    now = timezone.now()
    full = locked.capacity is not None and selectors.participating(locked).count() >= (
        locked.capacity
    )
    enrolment = existing or Enrolment(pilot=locked, user=user)
    enrolment.status = Enrolment.Status.WAITING if full else Enrolment.Status.PARTICIPATING
    enrolment.consent_version = version
    enrolment.consented_at = now
    enrolment.consent_data_use = consent_data_use
    enrolment.consent_contact = consent_contact
    enrolment.queued_at = now
    enrolment.joined_at = None if full else now
    enrolment.withdrawn_at = None
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_reconsent(
    *,
    pilot: Pilot,
    user: User,
    consent_version: int | None,
    consent_data_use: bool,
    consent_contact: bool,
) -> Enrolment:
    """Record the user's agreement to the pilot's current consent text, making them active."""
    locked = _locked(pilot)
    enrolment = Enrolment.objects.filter(pilot=locked, user=user).first()
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(_("You are not enrolled in this pilot."), code="not_enrolled")
    version = _check_consent(locked, consent_version, consent_data_use, consent_contact)
    if enrolment.consent_version_id == version.pk:
        raise ValidationError(
            _("You have already agreed to the current consent text."), code="already_consented"
        )
    enrolment.consent_version = version
    enrolment.consented_at = timezone.now()
    enrolment.consent_data_use = consent_data_use
    enrolment.consent_contact = consent_contact
    enrolment.save(
        update_fields=["consent_version", "consented_at", "consent_data_use", "consent_contact"]
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, pilot: Pilot, user: User, delete_feedback: bool = False) -> Enrolment:
    """Take the user out of the pilot (or its waiting list); their place goes to the next in line.

    With `delete_feedback` their survey answers and questions about this pilot are deleted too.
    """
    locked = _locked(pilot)
    enrolment = Enrolment.objects.filter(pilot=locked, user=user).first()
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(_("You are not enrolled in this pilot."), code="not_enrolled")
    freed_a_place = enrolment.status == Enrolment.Status.PARTICIPATING
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    if delete_feedback:
        SurveyResponse.objects.filter(survey__pilot=locked, user=user).delete()
        PilotQuestion.objects.filter(pilot=locked, author=user).delete()
    if freed_a_place:
        _fill_places(locked)
    return enrolment


@transaction.atomic
def pilot_fill_places(*, pilot: Pilot) -> list[Enrolment]:
    """Promote residents from the waiting list while places are free (after capacity grew)."""
    return _fill_places(_locked(pilot))


def _fill_places(locked: Pilot) -> list[Enrolment]:
    """Promote residents in order of arrival while the pilot takes people in and has room.

    The caller holds the pilot's lock. Residents who no longer meet a rule (they moved, say) keep
    their turn and are passed over until they do. Those whose consent text was replaced while
    they waited get the place and are asked to agree to the new text, like any participant.
    """
    if not locked.is_open_to_join:
        return []
    # Every resident is checked against the same rules; fetch them once.
    prefetch_related_objects([locked], "eligibility_rules", "districts")
    current = selectors.current_consent(locked)
    promoted = []
    taken = selectors.participating(locked).count()
    waiting = Enrolment.objects.filter(pilot=locked, status=Enrolment.Status.WAITING).order_by(
        "queued_at", "pk"
    )
    for enrolment in waiting.select_related("user__home_district"):
        if locked.capacity is not None and taken >= locked.capacity:
            break
        if eligibility_failures(pilot=locked, user=enrolment.user):
            continue
        enrolment.status = Enrolment.Status.PARTICIPATING
        enrolment.joined_at = timezone.now()
        enrolment.save(update_fields=["status", "joined_at"])
        promoted.append(enrolment)
        taken += 1
        if current is not None and enrolment.consent_version_id != current.pk:
            body = gettext_lazy(
                "A place freed up in %(pilot)s and you were next on the waiting list. Its consent "
                "text has changed since you joined the list: please read the new version and "
                "agree to it to take part."
            )
            link = reverse("pilots:join", kwargs={"slug": locked.slug})
        else:
            body = gettext_lazy(
                "A place freed up in %(pilot)s and you were next on the waiting list: "
                "you now take part."
            )
            link = locked.get_absolute_url()
        notify(
            users=[enrolment.user],
            kind=PilotNotice.WAITING_LIST,
            about=locked,
            subject=gettext_lazy("A place in %(pilot)s is yours"),
            body=body,
            params={"pilot": locked.title},
            link=link,
        )
    return promoted


# --- Surveys ---------------------------------------------------------------------------------


def _announce_if_open(survey: Survey, locked: Pilot) -> bool:
    """Tell active participants the survey is open, the first time it is; `locked` is its pilot.

    A survey is open while its pilot is in the survey's phase, once it has a question.
    """
    if survey.phase != locked.phase or not survey.questions.exists():
        return False
    now = timezone.now()
    # Claimed by one update, so a second caller (another save, a phase move) finds it taken.
    if not Survey.objects.filter(pk=survey.pk, announced_at__isnull=True).update(announced_at=now):
        return False
    survey.announced_at = now
    notify(
        users=[enrolment.user for enrolment in selectors.active_participants(locked)],
        kind=PilotNotice.SURVEY_OPEN,
        about=locked,
        subject=gettext_lazy("New survey: %(survey)s"),
        body=gettext_lazy("%(pilot)s asks what you think: “%(survey)s” is open for your answers."),
        params={"pilot": locked.title, "survey": survey.title},
        link=survey.get_absolute_url(),
    )
    return True


@transaction.atomic
def survey_announce(*, survey: Survey, by: User) -> bool:
    """Tell active participants that the survey is open, if it is and they were not told yet.

    Called after every save of a survey and its questions, since a survey may open by getting its
    first question or by being moved to the pilot's current phase; phase moves announce the
    surveys of the new phase themselves. Returns whether anyone was told now.
    """
    _require_manager(by, survey.pilot)
    return _announce_if_open(survey, _locked(survey.pilot))


def _clean_answer(question: SurveyQuestion, raw: Any) -> SurveyAnswer | None:
    """The answer to store, None when left empty; raises a message naming the question."""
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if blank:
        if question.required:
            raise ValidationError(_("Please answer this question."), code="required")
        return None
    answer = SurveyAnswer(question=question)
    if question.kind == SurveyQuestion.Kind.RATING:
        try:
            rating = int(str(raw).strip())
        except ValueError:
            raise ValidationError(_("Choose a number on the scale."), code="invalid") from None
        if not question.scale_min <= rating <= question.scale_max:
            raise ValidationError(
                _("Choose a number from %(low)s to %(high)s.")
                % {"low": question.scale_min, "high": question.scale_max},
                code="invalid",
            )
        answer.rating = rating
    elif question.kind == SurveyQuestion.Kind.CHOICE:
        choice = str(raw).strip()
        if choice not in question.choice_list:
            raise ValidationError(_("Choose one of the offered answers."), code="invalid")
        answer.choice = choice
    else:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(
                _("Keep your answer under %(limit)s characters.") % {"limit": MAX_TEXT},
                code="invalid",
            )
        answer.text = text
    return answer


@transaction.atomic
def survey_submit(*, survey: Survey, user: User, answers: Mapping[int, Any]) -> SurveyResponse:
    """Store the user's answers, replacing any they gave before; only while the survey is open.

    `answers` maps question ids to the raw value (a number for ratings, the choice's text,
    free text). Every error is reported at once, keyed by question id.
    """
    pilot = survey.pilot
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."), code="survey_closed")
    # The enrolment's row lock queues the resident's submissions behind each other and behind
    # their withdrawal, so answers cannot slip in after a withdrawal that deleted the feedback.
    enrolment = Enrolment.objects.select_for_update().filter(pilot=pilot, user=user).first()
    if enrolment is None or not selectors.enrolment_is_active(enrolment):
        raise ValidationError(
            _("Only active participants of this pilot can answer its surveys."),
            code="not_participant",
        )
    questions = list(survey.questions.all())
    known = {question.pk for question in questions}
    unknown = set(answers) - known
    if unknown:
        raise ValidationError(
            _("These questions are not in this survey: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in sorted(unknown))},
            code="unknown_question",
        )
    errors: dict[str, list[str]] = {}
    cleaned = []
    for question in questions:
        try:
            answer = _clean_answer(question, answers.get(question.pk))
        except ValidationError as error:
            errors[str(question.pk)] = error.messages
            continue
        if answer is not None:
            cleaned.append(answer)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # Should a response appear between the look-up and the insert all the same, get_or_create
    # meets the unique constraint and returns that response, which these answers then revise.
    response, created = SurveyResponse.objects.select_for_update().get_or_create(
        survey=survey, user=user, defaults={"submitted_at": now, "updated_at": now}
    )
    if not created:
        response.updated_at = now
        response.save(update_fields=["updated_at"])
        response.answers.all().delete()
    for answer in cleaned:
        answer.response = response
    SurveyAnswer.objects.bulk_create(cleaned)
    return response


# --- Questions and answers -------------------------------------------------------------------


@transaction.atomic
def pilot_question_ask(*, pilot: Pilot, user: User, text: str) -> PilotQuestion:
    """A resident's question; it shows on the pilot's page once a manager answers and publishes."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write your question first."), code="question_empty")
    if len(text) > 2000:
        raise ValidationError(
            _("Keep your question under 2000 characters."), code="question_too_long"
        )
    return PilotQuestion.objects.create(pilot=pilot, author=user, text=text)


@transaction.atomic
def pilot_question_answer(
    *, question: PilotQuestion, by: User, answer: str, publish: bool
) -> PilotQuestion:
    _require_manager(by, question.pilot)
    answer = answer.strip()
    if publish and not answer:
        raise ValidationError(_("Write an answer before publishing."), code="answer_empty")
    question.answer = answer
    question.is_published = publish
    if answer:
        question.answered_by = by
        question.answered_at = timezone.now()
    question.save()
    return question
