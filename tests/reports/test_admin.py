"""The reports admin: reports are found by id or by words."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from portal.models import User
from portal.reports.models import Report
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_a_report_is_found_by_its_id(client: Client, staff_user: User) -> None:
    wanted = ReportFactory.create(description="Streetlight out on the corner.")
    ReportFactory.create(description="Rubbish left by the park.")
    client.force_login(staff_user)

    by_id = client.get("/admin/reports/report/", {"q": str(wanted.pk)})
    by_words = client.get("/admin/reports/report/", {"q": "streetlight corner"})

    assert list(by_id.context["cl"].result_list) == [wanted]
    # Words are no id: they must not break the id search, and still find by description.
    assert by_words.status_code == 200
    assert list(by_words.context["cl"].result_list) == [wanted]


def test_staff_move_reports_in_bulk_through_the_workflow(client: Client, staff_user: User) -> None:
    reports = [ReportFactory.create(), ReportFactory.create()]
    client.force_login(staff_user)

    client.post(
        "/admin/reports/report/",
        {
            "action": "close_fixed",
            "_selected_action": [report.pk for report in reports],
            "text": "Repaired",
        },
    )

    for report in reports:
        report.refresh_from_db()
        assert report.status == Report.Status.CLOSED
        assert report.closed_at is not None
        assert report.updates.filter(text="Repaired").exists()


def test_staff_merge_duplicates_into_the_oldest(client: Client, staff_user: User) -> None:
    original, duplicate = ReportFactory.create(), ReportFactory.create()
    client.force_login(staff_user)

    client.post(
        "/admin/reports/report/",
        {"action": "merge", "_selected_action": [original.pk, duplicate.pk]},
    )

    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original


def test_staff_assign_reports(client: Client, staff_user: User, manager: User) -> None:
    report = ReportFactory.create()
    client.force_login(staff_user)

    client.post(
        "/admin/reports/report/",
        {"action": "assign", "_selected_action": [report.pk], "assignee": manager.pk},
    )

    report.refresh_from_db()
    assert report.assignee == manager


def test_exports_as_csv_and_geojson(client: Client, staff_user: User) -> None:
    report = ReportFactory.create(description="=HYPERLINK(bad)")
    client.force_login(staff_user)

    csv = client.post(
        "/admin/reports/report/", {"action": "export_csv", "_selected_action": [report.pk]}
    )
    geojson = client.post(
        "/admin/reports/report/", {"action": "export_geojson", "_selected_action": [report.pk]}
    )

    assert "'=HYPERLINK(bad)" in csv.content.decode()
    [feature] = geojson.json()["features"]
    assert feature["geometry"]["coordinates"] == [report.longitude, report.latitude]


def test_the_overdue_filter_and_the_triage_page(client: Client, staff_user: User) -> None:
    import datetime

    from django.utils import timezone

    late = ReportFactory.create(due_at=timezone.now() - datetime.timedelta(days=2))
    ReportFactory.create()
    client.force_login(staff_user)

    overdue = client.get("/admin/reports/report/", {"overdue": "yes"})
    triage = client.get("/admin/reports/report/triage/")

    assert list(overdue.context["cl"].result_list) == [late]
    assert triage.status_code == 200
    assert triage.context["overdue_count"] == 1
    assert any(row["reports"] == 2 for row in triage.context["medians"])


def test_an_open311_key_is_shown_once_and_stored_hashed(client: Client, staff_user: User) -> None:
    from portal.reports.models import Open311Key
    from portal.reports.services import open311_key_check

    client.force_login(staff_user)

    response = client.post("/admin/reports/open311key/add/", {"name": "Partner"}, follow=True)

    texts = " ".join(str(message) for message in response.context["messages"])
    [raw] = re.findall(r"[A-Za-z0-9_-]{40,}", texts)
    key = Open311Key.objects.get()
    assert open311_key_check(raw) == key
    assert raw not in key.key_hash


def test_reports_are_not_added_in_the_admin_and_their_place_stays_as_filed(
    client: Client, staff_user: User
) -> None:
    report = ReportFactory.create()
    client.force_login(staff_user)

    add = client.get("/admin/reports/report/add/")
    change = client.get(f"/admin/reports/report/{report.pk}/change/")

    assert add.status_code == 403
    assert change.status_code == 200
    form_fields = change.context["adminform"].form.fields
    assert not {"latitude", "longitude", "district"} & set(form_fields)


def test_the_triage_page_draws_the_districts_and_gives_times_in_days_and_hours(
    client: Client, staff_user: User
) -> None:
    import datetime

    from portal.reports.services import report_status_change

    report = ReportFactory.create()
    Report.objects.filter(pk=report.pk).update(
        created_at=report.created_at - datetime.timedelta(days=1, hours=13)
    )
    report.refresh_from_db()
    report_status_change(report=report, actor=staff_user, status=Report.Status.ACKNOWLEDGED)
    client.force_login(staff_user)

    triage = client.get("/admin/reports/report/triage/", HTTP_ACCEPT_LANGUAGE="en")

    assert len(triage.context["district_geojson"]["features"]) == 25
    assert b'id="district-geojson"' in triage.content
    assert "1 d 13 h" in [row["acknowledge"] for row in triage.context["medians"]]
