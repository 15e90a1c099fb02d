"""Joining with consent, eligibility, capacity and the waiting list, withdrawing, re-consenting."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation

from pilots import selectors, services
from pilots.models import ConsentVersion, EligibilityRule, Enrolment, Pilot
from pilots.notices import PilotNotice
from pilots.permissions import user_sees_pilot_private_data
from portal.models import User
from portal.notifications.models import Notification
from tests.pilots.factories import answers_for, consent, join, survey
from tests.portal.factories import UserFactory, district


def _join(
    pilot: Pilot,
    user: User,
    *,
    consent_version: int | None = None,
    consent_data_use: bool = True,
    consent_contact: bool = True,
) -> Enrolment:
    """Join through the service, agreeing to the current consent text unless told otherwise."""
    current = selectors.current_consent(pilot)
    assert current is not None
    return services.enrolment_join(
        pilot=pilot,
        user=user,
        consent_version=current.number if consent_version is None else consent_version,
        consent_data_use=consent_data_use,
        consent_contact=consent_contact,
    )


def test_a_citizen_joins_and_their_consent_version_and_time_are_recorded(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    enrolment = _join(pilot, resident)
    assert enrolment.status == Enrolment.Status.PARTICIPATING
    assert enrolment.consent_version == consent_v1
    assert enrolment.consented_at is not None
    assert user_sees_pilot_private_data(resident, pilot)


@pytest.mark.parametrize(
    ("ticks", "missing"),
    [
        ({"consent_data_use": False}, "the use of your data"),
        ({"consent_contact": False}, "being contacted"),
    ],
)
def test_each_consent_must_be_ticked(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, ticks: dict[str, bool], missing: str
) -> None:
    with pytest.raises(ValidationError, match=missing):
        _join(pilot, resident, **ticks)
    assert not Enrolment.objects.exists()


def test_consent_to_an_old_version_is_refused(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    consent(pilot, "A newer text.")
    with pytest.raises(ValidationError) as error:
        _join(pilot, resident, consent_version=1)
    assert error.value.code == "consent_outdated"


def test_nobody_joins_a_pilot_without_a_consent_text(pilot: Pilot, resident: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.enrolment_join(
            pilot=pilot,
            user=resident,
            consent_version=1,
            consent_data_use=True,
            consent_contact=True,
        )
    assert error.value.code == "no_consent"


@pytest.mark.parametrize(
    "phase", [Pilot.Phase.PROPOSED, Pilot.Phase.EVALUATING, Pilot.Phase.STOPPED]
)
def test_pilots_that_do_not_recruit_or_run_cannot_be_joined(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, phase: str
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(phase=phase)
    pilot.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _join(pilot, resident)
    assert error.value.code == "not_joinable"


def test_a_resident_of_another_district_is_told_which_rule_keeps_them_out(
    pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    EligibilityRule.objects.create(
        pilot=pilot, kind=EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS
    )
    mapo: User = UserFactory.create(username="mapo", home_district=district("mapo-gu"))
    with pytest.raises(ValidationError) as error:
        _join(pilot, mapo)
    assert error.value.code == "not_eligible"
    assert "residents of" in error.value.messages[0]
    assert not Enrolment.objects.exists()


def test_someone_too_young_is_told_the_minimum_age(
    pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MINIMUM_AGE, value=19)
    today = timezone.localdate()
    teen: User = UserFactory.create(username="teen", birth_date=today.replace(year=today.year - 15))
    with pytest.raises(ValidationError, match="aged 19 or over"):
        _join(pilot, teen)


def test_someone_without_a_birth_date_is_asked_for_it(
    pilot: Pilot, consent_v1: ConsentVersion, citizen: User
) -> None:
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MINIMUM_AGE, value=19)
    with pytest.raises(ValidationError, match="birth date"):
        _join(pilot, citizen)


def test_eligible_residents_pass_every_rule(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    EligibilityRule.objects.create(
        pilot=pilot, kind=EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS
    )
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MINIMUM_AGE, value=19)
    assert _join(pilot, resident).status == Enrolment.Status.PARTICIPATING


def test_joining_twice_is_refused(pilot: Pilot, consent_v1: ConsentVersion, resident: User) -> None:
    _join(pilot, resident)
    with pytest.raises(ValidationError) as error:
        _join(pilot, resident)
    assert error.value.code == "already_enrolled"


def test_a_full_pilot_puts_the_next_citizen_on_the_waiting_list(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    assert _join(pilot, resident).status == Enrolment.Status.PARTICIPATING
    waiting = _join(pilot, neighbour)
    assert waiting.status == Enrolment.Status.WAITING
    assert selectors.waiting_position(waiting) == 1
    assert not user_sees_pilot_private_data(neighbour, pilot)


def test_a_freed_place_goes_to_the_first_in_line_with_a_notice(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User, citizen: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    _join(pilot, resident)
    _join(pilot, neighbour)
    _join(pilot, citizen)
    services.enrolment_withdraw(pilot=pilot, user=resident)
    statuses = dict(Enrolment.objects.values_list("user__username", "status"))
    assert statuses == {
        "resident": Enrolment.Status.WITHDRAWN,
        "neighbour": Enrolment.Status.PARTICIPATING,
        "citizen": Enrolment.Status.WAITING,
    }
    notice = Notification.objects.get(user=neighbour)
    assert notice.kind == PilotNotice.WAITING_LIST
    assert not Notification.objects.filter(user=citizen).exists()


def test_raising_the_capacity_promotes_waiting_residents(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User, manager: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    _join(pilot, resident)
    _join(pilot, neighbour)
    promoted = services.pilot_capacity_set(pilot=pilot, capacity=2, by=manager)
    assert [enrolment.user for enrolment in promoted] == [neighbour]
    assert Pilot.objects.get(pk=pilot.pk).capacity == 2


def test_a_withdrawn_citizen_may_delete_their_feedback(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    _join(pilot, resident)
    created = survey(pilot)
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))
    services.pilot_question_ask(pilot=pilot, user=resident, text="Is it on at night?")
    services.enrolment_withdraw(pilot=pilot, user=resident, delete_feedback=True)
    assert not created.responses.exists()
    assert not pilot.questions.exists()


def test_withdrawing_keeps_feedback_unless_asked(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    _join(pilot, resident)
    created = survey(pilot)
    services.survey_submit(survey=created, user=resident, answers=answers_for(created))
    services.enrolment_withdraw(pilot=pilot, user=resident)
    assert created.responses.count() == 1
    assert not user_sees_pilot_private_data(resident, pilot)


def test_withdrawing_without_an_enrolment_is_refused(pilot: Pilot, citizen: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.enrolment_withdraw(pilot=pilot, user=citizen)
    assert error.value.code == "not_enrolled"


def test_a_withdrawn_citizen_can_join_again(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    _join(pilot, resident)
    services.enrolment_withdraw(pilot=pilot, user=resident)
    assert _join(pilot, resident).status == Enrolment.Status.PARTICIPATING


def test_a_new_consent_text_makes_participants_inactive_until_they_agree_again(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, manager: User
) -> None:
    enrolment = join(pilot, resident)
    services.consent_version_publish(pilot=pilot, text="We now also record sound.", by=manager)
    enrolment.refresh_from_db()
    assert selectors.enrolment_needs_consent(enrolment)
    assert not user_sees_pilot_private_data(resident, pilot)
    assert Notification.objects.filter(user=resident, kind=PilotNotice.CONSENT_UPDATE).exists()
    # Still holding their place while inactive.
    assert selectors.participating(pilot).filter(user=resident).exists()

    services.enrolment_reconsent(
        pilot=pilot, user=resident, consent_version=2, consent_data_use=True, consent_contact=True
    )
    assert user_sees_pilot_private_data(resident, pilot)


def test_an_inactive_participant_cannot_answer_surveys(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, manager: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    services.consent_version_publish(pilot=pilot, text="Version two.", by=manager)
    with pytest.raises(ValidationError) as error:
        services.survey_submit(survey=created, user=resident, answers=answers_for(created))
    assert error.value.code == "not_participant"


def test_only_managers_publish_consent_texts(pilot: Pilot, other_manager: User) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.consent_version_publish(pilot=pilot, text="Mine now.", by=other_manager)
    assert not pilot.consent_versions.exists()


def _full_with_a_waiting_neighbour(pilot: Pilot, resident: User, neighbour: User) -> Enrolment:
    # Notices are written in the resident's language; these tests read them in English.
    neighbour.preferred_language = "en"
    neighbour.save()
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    _join(pilot, resident)
    return _join(pilot, neighbour)


@pytest.mark.parametrize("phase", [Pilot.Phase.EVALUATING, Pilot.Phase.STOPPED])
def test_a_place_freed_after_the_pilot_stopped_taking_people_in_goes_to_nobody(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    neighbour: User,
    manager: User,
    phase: str,
) -> None:
    _full_with_a_waiting_neighbour(pilot, resident, neighbour)
    # Straight into the table: the phase service would have closed the waiting list.
    Pilot.objects.filter(pk=pilot.pk).update(phase=phase)
    pilot.refresh_from_db()
    services.enrolment_withdraw(pilot=pilot, user=resident)
    assert Enrolment.objects.get(user=neighbour).status == Enrolment.Status.WAITING
    assert services.pilot_capacity_set(pilot=pilot, capacity=5, by=manager) == []
    assert not Notification.objects.filter(user=neighbour).exists()


def test_a_waiting_resident_who_no_longer_meets_a_rule_is_passed_over_but_keeps_their_turn(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User
) -> None:
    EligibilityRule.objects.create(
        pilot=pilot, kind=EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS
    )
    _full_with_a_waiting_neighbour(pilot, resident, neighbour)
    latecomer: User = UserFactory.create(username="latecomer", home_district=district("gangnam-gu"))
    _join(pilot, latecomer)
    neighbour.home_district = district("mapo-gu")
    neighbour.save()

    services.enrolment_withdraw(pilot=pilot, user=resident)
    statuses = dict(Enrolment.objects.values_list("user__username", "status"))
    assert statuses["latecomer"] == Enrolment.Status.PARTICIPATING
    assert statuses["neighbour"] == Enrolment.Status.WAITING
    assert selectors.waiting_position(Enrolment.objects.get(user=neighbour)) == 1


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Pilot.Phase.RUNNING, Pilot.Phase.EVALUATING),
        (Pilot.Phase.RUNNING, Pilot.Phase.STOPPED),
        (Pilot.Phase.RECRUITING, Pilot.Phase.STOPPED),
    ],
)
def test_the_waiting_list_closes_with_a_notice_once_the_pilot_takes_nobody_in_again(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    neighbour: User,
    manager: User,
    start: str,
    target: str,
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(phase=start)
    pilot.refresh_from_db()
    _full_with_a_waiting_neighbour(pilot, resident, neighbour)
    services.pilot_change_phase(pilot=pilot, to_phase=target, by=manager, reason="on plan")
    waiting = Enrolment.objects.get(user=neighbour)
    assert waiting.status == Enrolment.Status.WITHDRAWN
    assert waiting.withdrawn_at is not None
    notice = Notification.objects.get(user=neighbour)
    assert notice.kind == PilotNotice.WAITING_LIST
    assert "waiting list is closed" in notice.body
    assert Enrolment.objects.get(user=resident).status == Enrolment.Status.PARTICIPATING


def test_the_waiting_list_stays_open_when_a_recruiting_pilot_starts_running(
    consent_v1: ConsentVersion, pilot: Pilot, resident: User, neighbour: User, manager: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(phase=Pilot.Phase.RECRUITING)
    pilot.refresh_from_db()
    _full_with_a_waiting_neighbour(pilot, resident, neighbour)
    services.pilot_change_phase(pilot=pilot, to_phase=Pilot.Phase.RUNNING, by=manager, reason="Go")
    assert Enrolment.objects.get(user=neighbour).status == Enrolment.Status.WAITING


def test_a_resident_promoted_after_the_consent_text_changed_is_asked_to_agree_to_it(
    client: Client,
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    neighbour: User,
    manager: User,
) -> None:
    _full_with_a_waiting_neighbour(pilot, resident, neighbour)
    services.consent_version_publish(pilot=pilot, text="We now also record sound.", by=manager)
    services.enrolment_withdraw(pilot=pilot, user=resident)

    promoted = Enrolment.objects.get(user=neighbour)
    assert promoted.status == Enrolment.Status.PARTICIPATING
    assert selectors.enrolment_needs_consent(promoted)
    assert not user_sees_pilot_private_data(neighbour, pilot)
    notice = Notification.objects.get(user=neighbour, kind=PilotNotice.WAITING_LIST)
    assert "agree to it" in notice.body
    assert notice.link == "/pilots/smart-crosswalk/join/"

    client.force_login(neighbour)
    page = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Please agree to the new consent text" in page.content.decode()
    agreed = client.post(
        notice.link, {"consent_version": 2, "consent_data_use": "on", "consent_contact": "on"}
    )
    assert agreed.status_code == 302
    assert user_sees_pilot_private_data(neighbour, pilot)


def test_lowering_the_capacity_takes_nobodys_place_and_newcomers_wait(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User, manager: User
) -> None:
    _join(pilot, resident)
    _join(pilot, neighbour)
    assert services.pilot_capacity_set(pilot=pilot, capacity=1, by=manager) == []
    assert Pilot.objects.get(pk=pilot.pk).capacity == 1
    assert selectors.participating(pilot).count() == 2
    latecomer: User = UserFactory.create(username="latecomer", home_district=district())
    assert _join(pilot, latecomer).status == Enrolment.Status.WAITING


def test_taking_the_limit_away_lets_everyone_waiting_in(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, neighbour: User, manager: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    _join(pilot, resident)
    _join(pilot, neighbour)
    promoted = services.pilot_capacity_set(pilot=pilot, capacity=None, by=manager)
    assert [enrolment.user for enrolment in promoted] == [neighbour]
    assert Pilot.objects.get(pk=pilot.pk).capacity is None


def test_only_the_pilots_managers_set_its_capacity(
    pilot: Pilot, other_manager: User, resident: User
) -> None:
    for stranger in (other_manager, resident):
        with pytest.raises(PermissionDenied):
            services.pilot_capacity_set(pilot=pilot, capacity=99, by=stranger)
    assert Pilot.objects.get(pk=pilot.pk).capacity is None


def test_participants_read_the_pilots_title_in_their_own_language_not_the_managers(
    consent_v1: ConsentVersion, pilot: Pilot, resident: User, neighbour: User, manager: User
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(title_ko="스마트 횡단보도", title_en="Smart crosswalk")
    pilot.refresh_from_db()
    User.objects.filter(pk=resident.pk).update(preferred_language="ko")
    User.objects.filter(pk=neighbour.pk).update(preferred_language="en")
    join(pilot, resident)
    join(pilot, neighbour)

    # The manager works in English; the Korean participant must still read the Korean title.
    with translation.override("en"):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="on plan"
        )

    korean = Notification.objects.get(user=resident, kind=PilotNotice.PHASE_CHANGE)
    english = Notification.objects.get(user=neighbour, kind=PilotNotice.PHASE_CHANGE)
    assert korean.subject.startswith("스마트 횡단보도")
    assert english.subject.startswith("Smart crosswalk")


def test_a_pilot_of_two_districts_names_them_as_alternatives(
    pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    pilot.districts.set([district("dobong-gu"), district("nowon-gu")])
    EligibilityRule.objects.create(
        pilot=pilot, kind=EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS
    )
    mapo: User = UserFactory.create(username="mapo", home_district=district("mapo-gu"))

    with translation.override("en"):
        [failure] = services.eligibility_failures(pilot=pilot, user=mapo)

    assert "residents of Dobong-gu or Nowon-gu;" in failure.message
