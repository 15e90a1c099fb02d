"""Residents taking part: eligibility, joining, the waiting list, re-consenting, withdrawing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors
from pilots.errors import PilotErrorCode
from pilots.models import EligibilityRule, Enrolment, Pilot, PilotQuestion, SurveyResponse
from pilots.notices import PilotNotice
from pilots.services.common import manager_required, pilot_locked
from pilots.services.consent import consent_agreement_check
from portal.cache import Scope, cache_version_bump
from portal.models import User
from portal.notifications.services import in_readers_language, notify


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class EligibilityFailure:
    """One of a pilot's rules that a resident does not meet, said in a sentence."""

    message: str
    # The profile field whose change would let the resident meet the rule ("home_district",
    # "birth_date"), or "" when nothing they can edit would: an age outside the range, say.
    profile_field: str = ""

    def __str__(self) -> str:
        return self.message


def eligibility_failures(*, pilot: Pilot, user: User) -> list[EligibilityFailure]:
    """Each of the pilot's rules that the user does not meet; empty if they are eligible."""
    failures = []
    today = timezone.localdate()
    for rule in pilot.eligibility_rules.all():
        if rule.kind == EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS:
            districts = list(pilot.districts.all())
            if user.home_district_id not in {district.pk for district in districts}:
                failures.append(
                    EligibilityFailure(
                        _(
                            "This pilot is for residents of %(districts)s; your home district "
                            "is %(home)s."
                        )
                        % {
                            "districts": get_text_list([district.name for district in districts]),
                            "home": user.home_district.name if user.home_district else _("not set"),
                        },
                        profile_field="home_district",
                    )
                )
        elif rule.kind in EligibilityRule.KINDS_WITH_VALUE:
            if user.birth_date is None:
                # One sentence for a minimum and a maximum age alike: one birth date answers both.
                if not any(failure.profile_field == "birth_date" for failure in failures):
                    failures.append(
                        EligibilityFailure(
                            _(
                                "This pilot has an age limit; add your birth date on your "
                                "“My living lab” page first."
                            ),
                            profile_field="birth_date",
                        )
                    )
                continue
            age = _age_on(user.birth_date, today)
            if rule.kind == EligibilityRule.Kind.MINIMUM_AGE and age < (rule.value or 0):
                failures.append(
                    EligibilityFailure(
                        _("This pilot is for people aged %(age)s or over.") % {"age": rule.value}
                    )
                )
            if rule.kind == EligibilityRule.Kind.MAXIMUM_AGE and age > (rule.value or 0):
                failures.append(
                    EligibilityFailure(
                        _("This pilot is for people aged %(age)s or under.") % {"age": rule.value}
                    )
                )
    return failures


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
    locked = pilot_locked(pilot)
    if not locked.is_open_to_join:
        raise ValidationError(
            _("This pilot is %(phase)s; residents can join only while it recruits or runs.")
            % {"phase": Pilot.Phase(locked.phase).label},
            code=PilotErrorCode.NOT_JOINABLE,
        )
    existing = Enrolment.objects.filter(pilot=locked, user=user).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        raise ValidationError(
            _("You are already %(status)s in this pilot.")
            % {"status": existing.get_status_display().lower()},
            code=PilotErrorCode.ALREADY_ENROLLED,
        )
    if not user.has_verified_email:
        # A pilot reaches its participants by e-mail (surveys, changes of consent, the end).
        raise ValidationError(
            _(
                "Confirm your e-mail address before you join a pilot: follow the link we sent "
                "to %(email)s, or ask for a new one on your “My living lab” page."
            )
            % {"email": user.email},
            code=PilotErrorCode.EMAIL_NOT_VERIFIED,
        )
    version = consent_agreement_check(
        pilot=locked,
        consent_version=consent_version,
        consent_data_use=consent_data_use,
        consent_contact=consent_contact,
    )
    failures = eligibility_failures(pilot=locked, user=user)
    if failures:
        # One refusal with one code, so that API callers can tell it from the others; pages list
        # the failures one by one from `eligibility_failures`.
        raise ValidationError(
            " ".join(failure.message for failure in failures), code=PilotErrorCode.NOT_ELIGIBLE
        )
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
    # Pages show how many take part and wait.
    cache_version_bump(Scope.PILOTS)
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
    locked = pilot_locked(pilot)
    enrolment = Enrolment.objects.filter(pilot=locked, user=user).first()
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(
            _("You are not enrolled in this pilot."), code=PilotErrorCode.NOT_ENROLLED
        )
    version = consent_agreement_check(
        pilot=locked,
        consent_version=consent_version,
        consent_data_use=consent_data_use,
        consent_contact=consent_contact,
    )
    if enrolment.consent_version_id == version.pk:
        raise ValidationError(
            _("You have already agreed to the current consent text."),
            code=PilotErrorCode.ALREADY_CONSENTED,
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
    locked = pilot_locked(pilot)
    enrolment = Enrolment.objects.filter(pilot=locked, user=user).first()
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(
            _("You are not enrolled in this pilot."), code=PilotErrorCode.NOT_ENROLLED
        )
    freed_a_place = enrolment.status == Enrolment.Status.PARTICIPATING
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    if delete_feedback:
        SurveyResponse.objects.filter(survey__pilot=locked, user=user).delete()
        PilotQuestion.objects.filter(pilot=locked, author=user).delete()
    if freed_a_place:
        _fill_places(locked)
    cache_version_bump(Scope.PILOTS)
    return enrolment


@transaction.atomic
def pilot_capacity_set(*, pilot: Pilot, capacity: int | None, by: User) -> list[Enrolment]:
    """Set how many residents may take part at once (None: no limit), and fill the new places.

    Lowering the capacity takes nobody's place: those taking part keep it, and newcomers wait
    until enough have left. Raising it gives the new places to the waiting list in order of
    arrival; the residents promoted are returned. The caller must manage the pilot, and saves
    the pilot's eligibility rules first, since promotion checks them.
    """
    manager_required(by, pilot)
    locked = pilot_locked(pilot)
    if locked.capacity != capacity:
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
    pilot.capacity = capacity
    cache_version_bump(Scope.PILOTS)
    return _fill_places(locked)


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
            params={"pilot": in_readers_language(locked, "title")},
            link=link,
        )
    return promoted
