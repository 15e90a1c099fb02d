"""Who may do what with a report, from the outsider's side."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import User
from portal.reports.models import Report
from portal.reports.permissions import (
    user_may_reopen,
    user_may_support,
    user_sees_private_report_data,
    user_triages_reports,
)
from portal.reports.services import report_status_change
from tests.reports.factories import ReportFactory, category

pytestmark = pytest.mark.django_db


def test_another_citizen_sees_no_private_data_and_cannot_triage_or_reopen(
    citizen: User, outsider: User
) -> None:
    report = ReportFactory.create(reporter=citizen)

    assert user_sees_private_report_data(citizen, report)
    assert not user_sees_private_report_data(outsider, report)
    assert not user_triages_reports(outsider)
    assert not user_may_reopen(outsider, report)
    assert user_may_support(outsider, report)
    assert not user_may_support(citizen, report)


def test_a_manager_and_staff_triage_reports(manager: User, staff_user: User) -> None:
    assert user_triages_reports(manager)
    assert user_triages_reports(staff_user)


def test_an_outsider_cannot_reopen_someone_elses_report_through_the_page(
    client: Client, citizen: User, outsider: User, staff_user: User
) -> None:
    report = ReportFactory.create(reporter=citizen)
    report_status_change(report=report, actor=staff_user, status="closed", resolution="fixed")
    client.force_login(outsider)

    response = client.post(f"/reports/{report.pk}/reopen/", {"reason": "mine now"})

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.CLOSED


def test_an_outsider_cannot_reach_the_admin_triage(client: Client, outsider: User) -> None:
    client.force_login(outsider)

    assert client.get("/admin/reports/report/triage/").status_code == 302
    assert client.get("/admin/reports/report/").status_code == 302


def test_an_outsider_sees_a_sensitive_place_rounded_and_the_reporter_sees_it_exactly(
    client: Client, citizen: User, outsider: User
) -> None:
    report = ReportFactory.create(
        reporter=citizen, category=category("safety"), latitude=37.5012345, longitude=127.0398765
    )

    client.force_login(outsider)
    public = client.get(f"/reports/{report.pk}/").context["place"]
    client.force_login(citizen)
    own = client.get(f"/reports/{report.pk}/").context["place"]

    assert public == {"latitude": 37.501, "longitude": 127.04}
    assert own == {"latitude": 37.5012345, "longitude": 127.0398765}


def test_an_outsider_never_reads_the_street_address_of_a_sensitive_report(
    client: Client, citizen: User, outsider: User
) -> None:
    sensitive = ReportFactory.create(
        reporter=citizen,
        category=category("safety"),
        address="테헤란로 152 뒷골목",
        address_id="bldg-152",
    )
    ordinary = ReportFactory.create(reporter=citizen, address="월드컵로 212")

    client.force_login(outsider)
    page = client.get(f"/reports/{sensitive.pk}/").content.decode()
    api = client.get(f"/api/reports/{sensitive.pk}/").json()
    open311 = [
        client.get(f"/open311/v2/requests/{sensitive.pk}.{fmt}").content.decode()
        for fmt in ("json", "xml")
    ]
    ordinary_page = client.get(f"/reports/{ordinary.pk}/").content.decode()
    client.force_login(citizen)
    own_page = client.get(f"/reports/{sensitive.pk}/").content.decode()

    assert "테헤란로" not in page
    assert api["address"] == ""
    assert all("테헤란로" not in body and "bldg-152" not in body for body in open311)
    assert "월드컵로 212" in ordinary_page
    assert "테헤란로 152 뒷골목" in own_page


def test_a_name_shows_only_when_the_reporter_chose_so(client: Client, citizen: User) -> None:
    hidden = ReportFactory.create(reporter=citizen, show_name=False)
    shown = ReportFactory.create(reporter=citizen, show_name=True)

    assert b"citizen" not in client.get(f"/reports/{hidden.pk}/").content
    assert b"citizen" in client.get(f"/reports/{shown.pk}/").content


def test_a_partner_key_cannot_read_contact_details(client: Client) -> None:
    report = ReportFactory.create(
        contact_email="ji@example.org", contact_phone="010-1234-5678", contact_first_name="Ji"
    )

    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests/{report.pk}.{fmt}").content
        assert b"ji@example.org" not in body
        assert b"010-1234-5678" not in body
