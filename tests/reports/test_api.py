"""The REST API: filing with photos, lists, the map's features, nearby reports and "me too"."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portal.models import User
from portal.reports.models import Report
from tests.portal.factories import district
from tests.reports.factories import ReportFactory, category, jpeg_with_gps

pytestmark = pytest.mark.django_db


def as_query(values: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()}


def report_data(**changes: Any) -> dict[str, Any]:
    place = district()
    data: dict[str, Any] = {
        "category": "road",
        "description": "Broken kerb",
        "latitude": place.center_latitude,
        "longitude": place.center_longitude,
    }
    return data | changes


def test_a_citizen_files_a_report_with_photos_and_a_pilot(
    client: Client, citizen: User, pilot: Any
) -> None:
    client.force_login(citizen)
    photos = [SimpleUploadedFile(f"p{n}.jpg", jpeg_with_gps(), "image/jpeg") for n in range(2)]

    response = client.post("/api/reports/", report_data(photos=photos, pilot=pilot.slug))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pilot"] == pilot.slug
    assert len(body["photos"]) == 2
    assert body["reporter_name"] == ""
    assert Report.objects.get().reporter == citizen


def test_an_anonymous_visitor_cannot_file_a_report(client: Client) -> None:
    response = client.post("/api/reports/", report_data())

    assert response.status_code == 401
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        # Something named that is not there answers 404, as the pilots API does.
        ({"category": "teleporter"}, 404, "category_unknown"),
        ({"pilot": "no-such-pilot"}, 404, "pilot_unknown"),
        ({"device": "999999"}, 404, "device_unknown"),
        ({"latitude": "", "longitude": ""}, 400, "location_missing"),
        (
            {"photos": [SimpleUploadedFile("cat.jpg", b"not an image", "image/jpeg")]},
            400,
            "photo_not_image",
        ),
    ],
)
def test_bad_input_is_refused_with_its_code_and_stores_nothing(
    client: Client, citizen: User, changes: dict[str, Any], status: int, code: str
) -> None:
    client.force_login(citizen)
    data = {key: value for key, value in report_data(**changes).items() if value != ""}

    response = client.post("/api/reports/", data)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert not Report.objects.exists()


def test_a_form_with_an_empty_device_files_a_report_about_no_device(
    client: Client, citizen: User
) -> None:
    client.force_login(citizen)

    response = client.post("/api/reports/", report_data(device=""))

    assert response.status_code == 201, response.content
    assert response.json()["device"] is None


@pytest.mark.parametrize(("field", "value"), [("device", "null"), ("show_name", "1")])
def test_a_form_value_the_schema_does_not_offer_is_refused_naming_the_field(
    client: Client, citizen: User, field: str, value: str
) -> None:
    client.force_login(citizen)

    response = client.post("/api/reports/", report_data(**{field: value}))

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == [field]
    assert not Report.objects.exists()


def test_the_list_filters_and_shows_no_private_data(client: Client) -> None:
    ReportFactory.create(contact_email="secret@example.org", show_name=False)
    ReportFactory.create(category=category("noise"))

    everything = client.get("/api/reports/")
    noise = client.get("/api/reports/", {"category": "noise"})

    assert everything.json()["count"] == 2
    assert [r["category"] for r in noise.json()["results"]] == ["noise"]
    assert b"secret@example.org" not in everything.content
    assert b"example.org" not in everything.content


def test_the_list_runs_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for _n in range(15):
        ReportFactory.create()

    with django_assert_max_num_queries(4):
        client.get("/api/reports/")


def test_the_map_clusters_at_city_zoom_and_shows_points_close_up(client: Client) -> None:
    place = district()
    for n in range(5):
        ReportFactory.create(latitude=place.center_latitude + n * 0.0001)
    city = {"south": 37.4, "west": 126.7, "north": 37.7, "east": 127.2, "zoom": 11}
    street = {
        "south": place.center_latitude - 0.005,
        "west": place.center_longitude - 0.005,
        "north": place.center_latitude + 0.005,
        "east": place.center_longitude + 0.005,
        "zoom": 17,
    }

    clustered = client.get("/api/reports/map/", as_query(city)).json()
    points = client.get("/api/reports/map/", as_query(street)).json()

    assert clustered["clustered"] is True
    assert sum(f["properties"]["count"] for f in clustered["features"]) == 5
    assert points["clustered"] is False
    assert len(points["features"]) == 5


def test_the_map_marks_overdue_reports(client: Client) -> None:
    import datetime

    from django.utils import timezone

    place = district()
    ReportFactory.create(due_at=timezone.now() - datetime.timedelta(days=1))
    view = {
        "south": place.center_latitude - 0.01,
        "west": place.center_longitude - 0.01,
        "north": place.center_latitude + 0.01,
        "east": place.center_longitude + 0.01,
        "zoom": 16,
    }

    [feature] = client.get("/api/reports/map/", as_query(view)).json()["features"]

    assert feature["properties"]["overdue"] is True


def test_the_list_pages_overdue_box_filters_the_map_with_the_word_the_api_takes(
    client: Client,
) -> None:
    import datetime

    from django.utils import timezone

    place = district()
    ReportFactory.create(due_at=timezone.now() - datetime.timedelta(days=1))
    ReportFactory.create()
    view = {
        "south": place.center_latitude - 0.01,
        "west": place.center_longitude - 0.01,
        "north": place.center_latitude + 0.01,
        "east": place.center_longitude + 0.01,
        "zoom": 16,
    }
    # The map sends the filter form's values as the box gives them.
    assert 'name="overdue" value="true"' in client.get("/reports/").content.decode()

    overdue = client.get("/api/reports/map/", {**as_query(view), "overdue": "true"})
    checkbox_default = client.get("/api/reports/map/", {**as_query(view), "overdue": "on"})

    assert [f["properties"]["overdue"] for f in overdue.json()["features"]] == [True]
    assert checkbox_default.status_code == 400


def test_nearby_offers_open_reports_of_the_category_within_50_m(client: Client) -> None:
    place = district()
    near = ReportFactory.create(latitude=place.center_latitude + 0.0002)
    ReportFactory.create(latitude=place.center_latitude + 0.002)
    ReportFactory.create(category=category("noise"))

    query = {"category": "road", "latitude": place.center_latitude}
    query["longitude"] = place.center_longitude
    found = client.get("/api/reports/nearby/", as_query(query)).json()

    assert [report["id"] for report in found] == [near.pk]


def test_me_too_through_the_api(client: Client, outsider: User) -> None:
    report = ReportFactory.create()
    client.force_login(outsider)

    response = client.post(f"/api/reports/{report.pk}/support/")

    assert response.status_code == 200
    assert response.json()["support_count"] == 1


def test_the_schema_documents_the_reports_api(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert "/api/reports/" in schema["paths"]
    assert "post" in schema["paths"]["/api/reports/"]
    assert "/api/reports/map/" in schema["paths"]


def test_a_typed_address_gives_only_its_districts_centre(client: Client) -> None:
    from portal.models import District

    mapo = District.objects.get(slug="mapo-gu")

    found = client.get("/api/reports/place/", {"address": "마포구 월드컵로 212"})
    unknown = client.get("/api/reports/place/", {"address": "Teheran-ro 152"})
    empty = client.get("/api/reports/place/")

    assert found.status_code == 200
    assert found.json()["district"] == "mapo-gu"
    assert found.json()["precision"] == "district"
    assert (found.json()["latitude"], found.json()["longitude"]) == (
        mapo.center_latitude,
        mapo.center_longitude,
    )
    assert unknown.status_code == 404
    assert empty.status_code == 400
