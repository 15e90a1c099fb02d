"""Notices reach participants by inbox and email after commit; each kind can be muted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from pilots import services
from pilots.models import ConsentVersion, Pilot, Survey
from pilots.notices import PilotNotice
from pilots.services import phases
from portal.models import User
from portal.notifications.models import Notification
from portal.notifications.services import notification_preferences_set, notify
from tests.pilots.factories import join, survey


def test_participants_hear_of_a_phase_change_by_inbox_and_email_after_commit(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    outsider: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    join(pilot, resident)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
        )
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    notice = Notification.objects.get(user=resident)
    assert notice.kind == PilotNotice.PHASE_CHANGE
    assert notice.emailed_at is not None
    assert [message.to for message in mail.outbox] == [[resident.email]]
    assert not Notification.objects.filter(user=outsider).exists()


def test_a_change_failing_after_its_notices_were_written_rolls_them_back_and_sends_nothing(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    join(pilot, resident)
    mail.outbox.clear()
    written: list[Notification] = []

    def notify_then_fail(**kwargs: Any) -> list[Notification]:
        written.extend(notify(**kwargs))
        raise RuntimeError("The database went away after the notices were written.")

    monkeypatch.setattr(phases, "notify", notify_then_fail)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
        )
    assert [notice.user for notice in written] == [resident]
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert Pilot.objects.get(pk=pilot.pk).phase == Pilot.Phase.RUNNING


def test_a_muted_kind_reaches_neither_inbox_nor_mailbox(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    join(pilot, resident)
    notification_preferences_set(user=resident, muted_kinds=[PilotNotice.PHASE_CHANGE])
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
        )
    assert not Notification.objects.filter(user=resident).exists()
    assert mail.outbox == []


def test_a_kind_whose_emails_are_off_reaches_the_inbox_but_not_the_mailbox(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    join(pilot, resident)
    notification_preferences_set(
        user=resident, muted_kinds=[], email_muted_kinds=[PilotNotice.PHASE_CHANGE]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
        )
    notice = Notification.objects.get(user=resident, kind=PilotNotice.PHASE_CHANGE)
    assert notice.emailed_at is None
    assert mail.outbox == []


def test_a_survey_opening_with_a_new_phase_is_announced_to_active_participants(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    join(pilot, resident)
    survey(pilot, phase=Pilot.Phase.EVALUATING)
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
        )
    kinds = set(Notification.objects.filter(user=resident).values_list("kind", flat=True))
    assert kinds == {PilotNotice.PHASE_CHANGE, PilotNotice.SURVEY_OPEN}
    assert len(mail.outbox) == 2


def test_the_email_is_sent_once_even_if_the_task_runs_twice(
    pilot: Pilot,
    consent_v1: ConsentVersion,
    resident: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from portal.notifications.tasks import notifications_email as email_notifications

    join(pilot, resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_change_phase(
            pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
        )
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert email_notifications(ids) == 0
    assert len(mail.outbox) == 1


def test_a_survey_reopening_when_the_pilot_returns_to_its_phase_is_not_announced_twice(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, manager: User
) -> None:
    join(pilot, resident)
    survey(pilot, phase=Pilot.Phase.EVALUATING)
    for phase in (Pilot.Phase.EVALUATING, Pilot.Phase.EXTENDED, Pilot.Phase.EVALUATING):
        services.pilot_change_phase(pilot=pilot, to_phase=phase, by=manager, reason="on plan")
    notices = Notification.objects.filter(user=resident, kind=PilotNotice.SURVEY_OPEN)
    assert notices.count() == 1


def test_a_survey_without_questions_is_not_announced_when_its_phase_comes(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User, manager: User
) -> None:
    join(pilot, resident)
    empty = Survey.objects.create(pilot=pilot, title="Later", phase=Pilot.Phase.EVALUATING)
    services.pilot_change_phase(
        pilot=pilot, to_phase=Pilot.Phase.EVALUATING, by=manager, reason="Half-time"
    )
    assert not Notification.objects.filter(kind=PilotNotice.SURVEY_OPEN).exists()
    empty.refresh_from_db()
    assert empty.announced_at is None
