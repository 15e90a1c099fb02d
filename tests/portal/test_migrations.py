"""A database filled before the apps were split keeps every row when it migrates forward."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate, migrate_to_the_end

# The last migration of each app before reports and notifications had apps of their own.
BEFORE_THE_SPLIT = [
    ("portal", "0003_seoul_districts"),
    ("pilots", "0005_survey_announced_at"),
    ("sensors", "0005_credential_label"),
    ("notifications", None),
    ("reports", None),
]


@pytest.mark.django_db(transaction=True)
def test_reports_notifications_and_opt_outs_survive_the_move_to_their_own_apps() -> None:
    old = migrate(BEFORE_THE_SPLIT)
    user = old.get_model("portal", "User").objects.create(username="kim", email="kim@example.org")
    district = old.get_model("portal", "District").objects.get(slug="mapo-gu")
    pilot = old.get_model("pilots", "Pilot").objects.create(
        title="Smart bins", slug="smart-bins", domain="environment", summary="Bins that talk."
    )
    report = old.get_model("portal", "Report").objects.create(
        category="waste",
        description="Rubbish by the park gate.",
        latitude=37.56,
        longitude=126.90,
        district=district,
        reporter=user,
    )
    notice = old.get_model("pilots", "Notification").objects.create(
        user=user,
        kind="phase_change",
        pilot=pilot,
        subject="Smart bins is now running",
        body="The pilot moved on.",
        link="/pilots/smart-bins/",
    )
    old.get_model("pilots", "NotificationOptOut").objects.create(user=user, kind="survey_open")

    new = migrate_to_the_end()

    moved_report = new.get_model("reports", "Report").objects.get(pk=report.pk)
    assert moved_report.description == "Rubbish by the park gate."
    assert moved_report.reporter_id == user.pk
    assert moved_report.district_id == district.pk
    moved_notice = new.get_model("notifications", "Notification").objects.get(pk=notice.pk)
    assert moved_notice.subject == "Smart bins is now running"
    assert (moved_notice.about_type.app_label, moved_notice.about_type.model) == (
        "pilots",
        "pilot",
    )
    assert moved_notice.about_id == pilot.pk
    opt_outs = new.get_model("notifications", "NotificationOptOut").objects.filter(user=user.pk)
    assert list(opt_outs.values_list("kind", flat=True)) == ["survey_open"]


@pytest.mark.django_db(transaction=True)
def test_the_moved_models_keep_their_permissions_under_their_new_apps() -> None:
    migrate(BEFORE_THE_SPLIT)
    new = migrate_to_the_end()
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert not content_types.filter(app_label="portal", model="report").exists()
    assert not content_types.filter(app_label="pilots", model="notification").exists()
    permission = new.get_model("auth", "Permission").objects
    assert permission.filter(content_type__app_label="reports", codename="add_report").exists()
    citizens = new.get_model("auth", "Group").objects.get(name="citizen")
    assert citizens.permissions.filter(
        content_type__app_label="reports", codename="add_report"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_surveys_announced_before_the_field_existed_are_recorded_as_announced() -> None:
    old = migrate(
        [
            ("portal", "0003_seoul_districts"),
            ("pilots", "0004_role_permissions"),
            ("notifications", None),
            ("reports", None),
        ]
    )
    user = old.get_model("portal", "User").objects.create(username="lee")
    pilot = old.get_model("pilots", "Pilot").objects.create(
        title="Quiet streets",
        slug="quiet-streets",
        domain="environment",
        summary="Noise.",
        phase="running",
    )
    surveys = old.get_model("pilots", "Survey").objects
    told = surveys.create(pilot=pilot, title="How is it going?", phase="running")
    untold = surveys.create(pilot=pilot, title="Later", phase="running")
    first = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    notices = old.get_model("pilots", "Notification").objects
    for sent in (first, first + dt.timedelta(days=1)):
        notices.create(
            user=user,
            kind="survey_open",
            pilot=pilot,
            subject="New survey",
            body="Tell us.",
            link=f"/pilots/quiet-streets/surveys/{told.pk}/",
            created_at=sent,
        )

    new = migrate_to_the_end()

    surveys_now = new.get_model("pilots", "Survey").objects
    assert surveys_now.get(pk=told.pk).announced_at == first
    assert surveys_now.get(pk=untold.pk).announced_at is None
