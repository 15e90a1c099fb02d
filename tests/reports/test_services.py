"""Filing, "me too", the workflow, merging, reopening, area alerts and photos."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from portal.models import User
from portal.notifications.models import Notification
from portal.reports.errors import ReportError
from portal.reports.models import Photo, Report, ReportUpdate
from portal.reports.notices import ReportNotice
from portal.reports.photos import MAX_PHOTO_BYTES
from portal.reports.services import (
    area_alert_create,
    report_create,
    report_merge,
    report_reopen,
    report_status_change,
    report_support,
)
from tests.portal.factories import UserFactory, district
from tests.reports.factories import ReportFactory, category, jpeg_with_gps

pytestmark = pytest.mark.django_db


def file_report(user: User, **changes: object) -> Report:
    place = district()
    values: dict[str, object] = {
        "reporter": user,
        "category": category(),
        "description": "Broken kerb",
        "latitude": place.center_latitude,
        "longitude": place.center_longitude,
    }
    values |= changes
    return report_create(**values)  # type: ignore[arg-type]


def test_a_filed_report_gets_its_district_target_and_first_history_entry(citizen: User) -> None:
    report = file_report(citizen)

    assert report.district == district()
    assert report.due_at is not None
    assert report.due_at - report.created_at == datetime.timedelta(days=7)
    assert list(report.updates.values_list("status", flat=True)) == [Report.Status.OPEN]


def test_a_filed_report_stores_its_map_cells_from_its_place(citizen: User) -> None:
    from portal.reports.services.geo import map_cells

    by_tap = file_report(citizen, latitude=37.5512, longitude=126.9882)
    by_address = file_report(citizen, latitude=None, longitude=None, address="마포구 월드컵로")

    for report in (by_tap, by_address):
        cells = map_cells(latitude=report.latitude, longitude=report.longitude)
        report.refresh_from_db()
        assert {name: getattr(report, name) for name in cells} == cells


def test_photos_are_stored_without_exif_or_gps_in_three_sizes(citizen: User) -> None:
    report = file_report(citizen, photos=[jpeg_with_gps(3000, 2000)])

    photo = Photo.objects.get(report=report)
    for stored in (photo.image, photo.display, photo.thumbnail):
        with stored.open("rb") as handle, Image.open(handle) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
            assert "exif" not in image.info
    with photo.display.open("rb") as handle, Image.open(handle) as image:
        assert max(image.size) == 1024
    with photo.thumbnail.open("rb") as handle, Image.open(handle) as image:
        assert max(image.size) == 320


def test_a_file_that_is_not_an_image_stores_nothing(citizen: User) -> None:
    fake = b"\xff\xd8\xff\xe0 this is not really a jpeg" * 10

    with pytest.raises(ValidationError) as raised:
        file_report(citizen, photos=[jpeg_with_gps(), fake])

    assert raised.value.code == ReportError.PHOTO_NOT_IMAGE
    assert not Report.objects.exists()
    assert not Photo.objects.exists()


def test_a_photo_over_10_mb_stores_nothing(citizen: User) -> None:
    with pytest.raises(ValidationError) as raised:
        file_report(citizen, photos=[jpeg_with_gps() + b"\0" * MAX_PHOTO_BYTES])

    assert raised.value.code == ReportError.PHOTO_TOO_BIG
    assert not Report.objects.exists()


def test_a_png_is_accepted_and_stored_as_jpeg(citizen: User) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(buffer, format="PNG")

    report = file_report(citizen, photos=[buffer.getvalue()])

    assert str(report.photos.get().image.name).endswith(".jpg")


def test_four_photos_are_too_many(citizen: User) -> None:
    with pytest.raises(ValidationError) as raised:
        file_report(citizen, photos=[jpeg_with_gps()] * 4)

    assert raised.value.code == ReportError.TOO_MANY_PHOTOS


def test_me_too_counts_once_and_the_supporter_hears_of_updates(
    citizen: User, outsider: User, staff_user: User
) -> None:
    report = ReportFactory.create(reporter=citizen)

    assert report_support(report=report, user=outsider) is True
    assert report_support(report=report, user=outsider) is False
    report_status_change(report=report, actor=staff_user, status=Report.Status.ACKNOWLEDGED)

    report.refresh_from_db()
    assert report.support_count == 1
    told = set(
        Notification.objects.filter(kind=ReportNotice.REPORT_UPDATE).values_list("user", flat=True)
    )
    assert told == {citizen.pk, outsider.pk}


def test_a_reporter_cannot_support_their_own_report(citizen: User) -> None:
    report = ReportFactory.create(reporter=citizen)

    with pytest.raises(ValidationError):
        report_support(report=report, user=citizen)


def test_the_workflow_records_times_to_acknowledge_and_to_close(staff_user: User) -> None:
    report = ReportFactory.create()

    report_status_change(report=report, actor=staff_user, status=Report.Status.ACKNOWLEDGED)
    report_status_change(report=report, actor=staff_user, status=Report.Status.IN_PROGRESS)
    closed = report_status_change(
        report=report,
        actor=staff_user,
        status=Report.Status.CLOSED,
        resolution=Report.Resolution.FIXED,
        text="Replaced the kerb stone.",
    )

    assert closed.acknowledged_at is not None
    assert closed.closed_at is not None
    assert closed.acknowledged_at <= closed.closed_at
    assert list(closed.updates.values_list("status", flat=True)) == [
        "acknowledged",
        "in_progress",
        "closed",
    ]


def test_a_report_cannot_go_backwards_or_close_without_a_resolution(staff_user: User) -> None:
    report = ReportFactory.create(status=Report.Status.IN_PROGRESS)

    with pytest.raises(ValidationError) as backwards:
        report_status_change(report=report, actor=staff_user, status=Report.Status.ACKNOWLEDGED)
    with pytest.raises(ValidationError) as unresolved:
        report_status_change(report=report, actor=staff_user, status=Report.Status.CLOSED)

    assert backwards.value.code == ReportError.TRANSITION_INVALID
    assert unresolved.value.code == ReportError.RESOLUTION_MISSING


def test_merging_moves_the_reporter_and_supporters_to_the_original(staff_user: User) -> None:
    original = ReportFactory.create()
    duplicate = ReportFactory.create()
    fan = UserFactory.create(username="fan")
    report_support(report=duplicate, user=fan)

    report_merge(duplicate=duplicate, original=original, actor=staff_user)

    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.status == Report.Status.CLOSED
    assert duplicate.resolution == Report.Resolution.DUPLICATE
    assert duplicate.duplicate_of == original
    assert set(original.supporters.all()) == {fan, duplicate.reporter}
    assert original.support_count == 2


def test_the_reporter_reopens_a_fixed_report_within_30_days(
    citizen: User, staff_user: User
) -> None:
    report = ReportFactory.create(reporter=citizen)
    report_status_change(
        report=report, actor=staff_user, status="closed", resolution=Report.Resolution.FIXED
    )

    reopened = report_reopen(report=report, user=citizen, reason="Still broken")

    assert reopened.status == Report.Status.OPEN
    assert reopened.closed_at is None
    assert reopened.updates.filter(kind=ReportUpdate.Kind.REOPEN).exists()


def test_reopening_after_30_days_or_by_someone_else_is_refused(
    citizen: User, outsider: User, staff_user: User
) -> None:
    report = ReportFactory.create(reporter=citizen)
    report_status_change(
        report=report, actor=staff_user, status="closed", resolution=Report.Resolution.FIXED
    )

    with pytest.raises(ValidationError) as stranger:
        report_reopen(report=report, user=outsider, reason="Not fixed")
    Report.objects.filter(pk=report.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=31)
    )
    with pytest.raises(ValidationError) as late:
        report_reopen(report=report, user=citizen, reason="Not fixed")

    assert stranger.value.code == ReportError.REOPEN_NOT_ALLOWED
    assert late.value.code == ReportError.REOPEN_TOO_LATE


def test_area_alerts_tell_followers_of_a_district_and_of_a_circle(
    citizen: User, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    place = district()
    far = UserFactory.create(username="far-away")
    area_alert_create(user=outsider, district=place)
    area_alert_create(
        user=far, latitude=place.center_latitude + 0.05, longitude=place.center_longitude,
        radius_m=500,
    )  # fmt: skip
    near = UserFactory.create(username="near")
    area_alert_create(
        user=near, latitude=place.center_latitude + 0.002, longitude=place.center_longitude,
        radius_m=300,
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(citizen)

    told = set(
        Notification.objects.filter(kind=ReportNotice.AREA_NEW, about_id=report.pk).values_list(
            "user", flat=True
        )
    )
    assert told == {outsider.pk, near.pk}


def test_an_alert_radius_outside_200_m_to_3_km_is_refused(citizen: User) -> None:
    place = district()
    for radius in (150, 3500):
        with pytest.raises(ValidationError):
            area_alert_create(
                user=citizen,
                latitude=place.center_latitude,
                longitude=place.center_longitude,
                radius_m=radius,
            )


def test_a_deleted_account_leaves_its_reports_anonymised(citizen: User) -> None:
    report = file_report(citizen, show_name=True)

    citizen.delete()

    report.refresh_from_db()
    assert report.reporter is None
    assert report.public_name() == ""
