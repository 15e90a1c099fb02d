"""Notices of reports reach each person in their own language; an assignee hears of the report."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from portal.models import User
from portal.notifications.models import Notification
from portal.notifications.services import notification_preferences_set
from portal.reports.models import Report
from portal.reports.notices import ReportNotice
from portal.reports.services import (
    area_alert_create,
    report_assign,
    report_create,
    report_status_change,
    report_support,
)
from tests.portal.factories import UserFactory, district
from tests.reports.factories import ReportFactory, category

pytestmark = pytest.mark.django_db


def notice_of(user: User, kind: str) -> Notification:
    return Notification.objects.get(user=user, kind=kind)


def test_an_update_reaches_each_person_in_their_own_language_not_the_triagers(
    staff_user: User,
) -> None:
    reporter = UserFactory.create(username="minji", preferred_language="ko")
    supporter = UserFactory.create(username="james", preferred_language="en")
    report = ReportFactory.create(reporter=reporter, category=category("streetlight"))
    report_support(report=report, user=supporter)

    # The triager works in English; the Korean reporter must still read Korean.
    with translation.override("en"):
        report_status_change(report=report, actor=staff_user, status=Report.Status.ACKNOWLEDGED)

    korean = notice_of(reporter, ReportNotice.REPORT_UPDATE)
    english = notice_of(supporter, ReportNotice.REPORT_UPDATE)
    assert "가로등 고장" in korean.body
    assert "확인됨" in korean.body
    assert "Broken streetlight" not in korean.body
    assert "Broken streetlight" in english.body
    assert "Acknowledged" in english.body
    assert english.subject == f"Report #{report.pk}: Acknowledged"


def test_area_followers_hear_of_a_new_report_in_their_own_language(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    place = district()
    korean = UserFactory.create(username="follower-ko", preferred_language="ko")
    english = UserFactory.create(username="follower-en", preferred_language="en")
    for follower in (korean, english):
        area_alert_create(user=follower, district=place)
    reporter = UserFactory.create(username="reporter", preferred_language="en")

    # Followers are told once the report is committed.
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        report_create(
            reporter=reporter,
            category=category("waste"),
            description="Bags left by the bus stop",
            latitude=place.center_latitude,
            longitude=place.center_longitude,
        )

    assert notice_of(korean, ReportNotice.AREA_NEW).subject == (
        "가까운 곳에 새 신고: 무단 투기·쓰레기"
    )
    assert notice_of(english, ReportNotice.AREA_NEW).subject == (
        "New report near you: Illegal dumping or waste"
    )


def test_an_assignee_hears_of_a_report_given_to_them_in_the_inbox_and_by_email(
    staff_user: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    manager.email = "manager@example.org"
    manager.preferred_language = "en"
    manager.save(update_fields=["email", "preferred_language"])
    report = ReportFactory.create(category=category("road"), description="Pothole by the school")

    with django_capture_on_commit_callbacks(execute=True):
        report_assign(report=report, actor=staff_user, assignee=manager)

    notice = notice_of(manager, ReportNotice.ASSIGNED)
    assert notice.subject == f"Report #{report.pk} is assigned to you"
    assert "Road or pavement damage" in notice.body
    assert "Pothole by the school" in notice.body
    assert notice.link == f"/admin/reports/report/{report.pk}/change/"
    [message] = mail.outbox
    assert message.to == ["manager@example.org"]
    assert message.subject == notice.subject
    # The reporter is not told who handles the report.
    assert report.reporter is not None
    assert not Notification.objects.filter(user=report.reporter).exists()


def test_an_assignee_who_switched_assignments_off_hears_nothing(
    staff_user: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    notification_preferences_set(user=manager, muted_kinds=[ReportNotice.ASSIGNED])
    report = ReportFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        report_assign(report=report, actor=staff_user, assignee=manager)

    report.refresh_from_db()
    assert report.assignee == manager
    assert not Notification.objects.filter(user=manager).exists()
    assert mail.outbox == []


def test_taking_a_report_oneself_or_being_given_it_again_sends_no_notice(
    staff_user: User, manager: User
) -> None:
    report = ReportFactory.create()

    report_assign(report=report, actor=manager, assignee=manager)
    report_assign(report=report, actor=staff_user, assignee=manager)
    report_assign(report=report, actor=staff_user, assignee=None)

    assert not Notification.objects.filter(kind=ReportNotice.ASSIGNED).exists()


def test_assignment_is_a_kind_people_can_switch_off() -> None:
    from portal.notifications.registry import kind_values

    assert ReportNotice.ASSIGNED in kind_values()
