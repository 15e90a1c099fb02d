"""The report pages: map and list, filing, one report, area alerts, and the data export."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.models import User
from portal.reports.models import AreaAlert, Report
from portal.reports.privacy import reports_export
from sensors.models import Device
from tests.portal.factories import district
from tests.reports.factories import ReportFactory, category, jpeg_with_gps
from tests.sensors.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_list_page_shows_reports_and_filters(client: Client, language: str) -> None:
    ReportFactory.create(description="Pothole on the corner")
    client.cookies["django_language"] = language

    response = client.get("/reports/", {"category": "road"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert b"Pothole on the corner" in response.content


def test_filing_a_report_on_the_page(client: Client, citizen: User) -> None:
    place = district()
    client.force_login(citizen)

    response = client.post(
        "/reports/new/",
        {
            "category": "road",
            "description": "Broken kerb",
            "latitude": place.center_latitude,
            "longitude": place.center_longitude,
            "photos": [SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg")],
        },
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.photos.count() == 1


def test_a_citizen_reports_a_problem_with_a_device_from_its_page(
    client: Client, citizen: User
) -> None:
    device = DeviceFactory.create(display_name="Gangnam fine-dust station 7")
    client.force_login(citizen)

    device_page = client.get(reverse("sensors:device", args=[device.pk]))
    form = client.get("/reports/new/", {"device": device.pk}, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/reports/new/",
        {
            "category": "device",
            "description": "The screen is dark",
            "latitude": device.latitude,
            "longitude": device.longitude,
            "device": device.pk,
        },
    )

    assert f'href="/reports/new/?device={device.pk}"'.encode() in device_page.content
    assert b"Gangnam fine-dust station 7" in form.content
    assert f'value="{device.latitude}"'.encode() in form.content
    assert response.status_code == 302
    assert Report.objects.get().device == device


def test_a_device_the_citizen_may_not_see_cannot_be_named_in_a_report(
    client: Client, citizen: User
) -> None:
    hidden = DeviceFactory.create(visibility=Device.Visibility.PRIVATE)
    client.force_login(citizen)
    place = district()
    data = {
        "category": "device",
        "description": "Broken",
        "latitude": place.center_latitude,
        "longitude": place.center_longitude,
    }

    form = client.get("/reports/new/", {"device": hidden.pk})
    page = client.post("/reports/new/", data | {"device": hidden.pk})
    api = client.post("/api/reports/", data | {"device": hidden.pk})
    unknown = client.post("/reports/new/", data | {"device": hidden.pk + 1000})

    assert str(hidden.latitude).encode() not in form.content
    assert page.status_code == unknown.status_code == 400
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "device_unknown"
    assert not Report.objects.exists()


def test_the_form_asks_again_without_a_place(client: Client, citizen: User) -> None:
    client.force_login(citizen)

    response = client.post("/reports/new/", {"category": "road", "description": "Somewhere"})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in_to_report(client: Client) -> None:
    response = client.get("/reports/new/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_me_too_on_the_report_page(client: Client, outsider: User) -> None:
    report = ReportFactory.create()
    client.force_login(outsider)

    client.post(f"/reports/{report.pk}/support/")

    report.refresh_from_db()
    assert report.support_count == 1


def test_following_and_unfollowing_an_area(client: Client, citizen: User) -> None:
    place = district()
    client.force_login(citizen)

    client.post("/reports/alerts/", {"district": place.slug})
    client.post(
        "/reports/alerts/",
        {"latitude": place.center_latitude, "longitude": place.center_longitude, "radius_m": 1000},
    )
    alerts = list(AreaAlert.objects.filter(user=citizen))
    client.post(f"/reports/alerts/{alerts[0].pk}/delete/")

    assert len(alerts) == 2
    assert AreaAlert.objects.filter(user=citizen).count() == 1


def test_nobody_else_can_delete_my_alert(client: Client, citizen: User, outsider: User) -> None:
    alert = AreaAlert.objects.create(user=citizen, district=district())
    client.force_login(outsider)

    response = client.post(f"/reports/alerts/{alert.pk}/delete/")

    assert response.status_code == 404
    assert AreaAlert.objects.filter(pk=alert.pk).exists()


def test_my_living_lab_links_to_my_reports_and_to_reporting(client: Client, citizen: User) -> None:
    report = ReportFactory.create(reporter=citizen, category=category("noise"))
    client.force_login(citizen)

    body = client.get(reverse("my-living-lab")).content.decode()

    assert report.get_absolute_url() in body
    assert "/reports/new/" in body


def test_the_export_includes_my_reports_and_photo_urls(client: Client, citizen: User) -> None:
    from portal.reports.services import report_create

    place = district()
    report_create(
        reporter=citizen,
        category=category(),
        description="Broken",
        latitude=place.center_latitude,
        longitude=place.center_longitude,
        photos=[jpeg_with_gps()],
    )

    exported: dict[str, Any] = reports_export(user=citizen)

    [entry] = exported["reports"]
    assert entry["category"] == "road"
    assert entry["photos"]
    assert entry["photos"][0].startswith("http")


def test_the_form_says_plainly_that_an_address_finds_only_its_district(
    client: Client, citizen: User
) -> None:
    client.force_login(citizen)

    page = client.get("/reports/new/", HTTP_ACCEPT_LANGUAGE="en")

    assert b"Street addresses cannot be looked up here" in page.content
    assert b"placed at the district&#x27;s centre" in page.content


def test_a_report_filed_by_address_alone_is_placed_at_its_districts_centre_and_says_so(
    client: Client, citizen: User
) -> None:
    from portal.models import District

    mapo = District.objects.get(slug="mapo-gu")
    client.force_login(citizen)

    response = client.post(
        "/reports/new/",
        {"category": "road", "description": "Broken kerb", "address": "마포구 월드컵로 212"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    report = Report.objects.get()
    assert (report.latitude, report.longitude) == (mapo.center_latitude, mapo.center_longitude)
    assert report.district == mapo
    texts = [str(message) for message in response.context["messages"]]
    assert any("placed at the centre of" in text for text in texts)
