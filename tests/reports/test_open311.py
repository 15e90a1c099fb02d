"""Open311 GeoReport v2, field by field, in JSON and XML, and its errors storing nothing."""

from __future__ import annotations

import datetime
import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from portal.reports.models import CategoryAttribute, Open311Key, Report
from portal.reports.services import open311_key_revoke
from portal.reports.services.geo import map_cells
from tests.portal.factories import district
from tests.reports.factories import ReportFactory, category

pytestmark = pytest.mark.django_db

FORMATS = ["json", "xml"]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip


def records(response: Any, fmt: str, item: str) -> list[dict[str, Any]]:
    """The answer as a list of flat dicts, from a JSON array or `<root><item>…</item></root>`."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(response.content)
        assert isinstance(data, list)
        return data
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer.
    return [{child.tag: (child.text or "") for child in node} for node in root.findall(item)]


def errors(response: Any, fmt: str) -> list[dict[str, Any]]:
    found = records(response, fmt, "error")
    assert found
    assert all(set(error) == {"code", "description"} for error in found)
    assert all(int(error["code"]) == response.status_code for error in found)
    return found


def post_request(client: Client, fmt: str, **data: Any) -> Any:
    return client.post(f"/open311/v2/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_and_both_formats(client: Client, fmt: str) -> None:
    response = client.get(f"/open311/v2/discovery.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        data = json.loads(response.content)
        endpoint = data["endpoints"][0]
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["url"].endswith("/open311/v2")
    else:
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "discovery"
        formats = [node.text for node in root.iter("format")]
        assert formats == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_lists_every_active_category_with_the_specs_fields(
    client: Client, fmt: str
) -> None:
    CategoryAttribute.objects.create(
        category=category("road"), code="size", description="How big?", datatype="number"
    )
    response = client.get(f"/open311/v2/services.{fmt}")

    services = records(response, fmt, "service")
    assert response.status_code == 200
    by_code = {service["service_code"]: service for service in services}
    assert {"road", "streetlight", "other"} <= set(by_code)
    for service in services:
        assert set(service) == {
            "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
        }  # fmt: skip
        assert service["type"] == "realtime"
    assert by_code["road"]["metadata"] in (True, "true")
    assert by_code["noise"]["metadata"] in (False, "false")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes(client: Client, fmt: str) -> None:
    CategoryAttribute.objects.create(
        category=category("road"),
        code="surface",
        description="What is damaged?",
        datatype=CategoryAttribute.Datatype.SINGLE,
        required=True,
        order=1,
        values=[{"key": "kerb", "name": "Kerb"}, {"key": "asphalt", "name": "Asphalt"}],
    )

    response = client.get(f"/open311/v2/services/road.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        data = json.loads(response.content)
        attribute = data["attributes"][0]
        assert data["service_code"] == "road"
        assert attribute["variable"] is True
        assert attribute["required"] is True
        assert attribute["order"] == 1
        assert attribute["values"] == [
            {"key": "kerb", "name": "Kerb"},
            {"key": "asphalt", "name": "Asphalt"},
        ]
    else:
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "service_definition"
        attribute = root.find("attributes/attribute")
        assert attribute is not None
        assert attribute.findtext("code") == "surface"
        assert attribute.findtext("datatype") == "singlevaluelist"
        assert [value.findtext("key") for value in attribute.iter("value")] == ["kerb", "asphalt"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_definition_is_a_404_in_the_specs_shape(
    client: Client, fmt: str
) -> None:
    response = client.get(f"/open311/v2/services/nothing-here.{fmt}")

    assert response.status_code == 404
    assert errors(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_partner_files_a_report_that_the_site_shows(
    client: Client, fmt: str, partner_key: tuple[Open311Key, str]
) -> None:
    key, raw = partner_key
    place = district("mapo-gu")

    response = post_request(
        client,
        fmt,
        api_key=raw,
        service_code="streetlight",
        lat=str(place.center_latitude),
        long=str(place.center_longitude),
        description="가로등이 꺼졌어요",
        email="resident@example.org",
        first_name="Ji",
        last_name="Kim",
        jurisdiction_id="seoul.go.kr",
    )

    assert response.status_code == 200
    [answer] = records(response, fmt, "request")
    report = Report.objects.get(pk=int(answer["service_request_id"]))
    assert answer["token"] == str(report.token)
    assert "service_notice" in answer
    assert "account_id" in answer
    assert report.partner == key
    assert report.source == Report.Source.OPEN311
    assert report.district == place
    assert report.contact_email == "resident@example.org"
    assert client.get(report.get_absolute_url()).status_code == 200


def test_a_partner_files_by_address_naming_a_district(
    client: Client, partner_key: tuple[Open311Key, str]
) -> None:
    response = post_request(
        client,
        "json",
        api_key=partner_key[1],
        service_code="waste",
        address_string="서울특별시 마포구 월드컵로 212",
        description="Rubbish",
    )

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.district == district("mapo-gu")
    assert report.address.startswith("서울특별시")


def test_attributes_are_checked_and_stored(
    client: Client, partner_key: tuple[Open311Key, str]
) -> None:
    CategoryAttribute.objects.create(
        category=category("road"),
        code="surface",
        description="What is damaged?",
        datatype=CategoryAttribute.Datatype.SINGLE,
        required=True,
        values=[{"key": "kerb", "name": "Kerb"}],
    )
    place = district()
    base = {
        "api_key": partner_key[1],
        "service_code": "road",
        "lat": str(place.center_latitude),
        "long": str(place.center_longitude),
        "description": "Broken",
    }

    missing = post_request(client, "json", **base)
    wrong = post_request(client, "json", **base, **{"attribute[surface]": "lava"})
    right = post_request(client, "json", **base, **{"attribute[surface]": "kerb"})

    assert missing.status_code == wrong.status_code == 400
    assert right.status_code == 200
    assert Report.objects.get().attributes == {"surface": "kerb"}


BAD_POSTS: list[tuple[str, dict[str, str], int]] = [
    ("no location at all", {}, 400),
    ("an unknown service code", {"service_code": "teleporter"}, 404),
    ("a missing service code", {"service_code": ""}, 400),
    ("a place outside the city", {"lat": "35.1", "long": "129.0"}, 400),
    ("a malformed latitude", {"lat": "north", "long": "127.0"}, 400),
    ("a description over 4,000 characters", {"description": "x" * 4001}, 400),
    ("an address naming no district", {"address_string": "Main Street 1"}, 400),
    ("another jurisdiction", {"jurisdiction_id": "nyc.gov"}, 404),
    ("a malformed e-mail address", {"email": "not-an-address"}, 400),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "changes", "status"), BAD_POSTS, ids=[c[0] for c in BAD_POSTS])
def test_bad_input_gets_the_specs_errors_and_stores_nothing(
    client: Client,
    fmt: str,
    case: str,
    changes: dict[str, str],
    status: int,
    partner_key: tuple[Open311Key, str],
) -> None:
    data = {"api_key": partner_key[1], "service_code": "road", "description": "Broken"}
    if case != "no location at all":
        place = district()
        data |= {"lat": str(place.center_latitude), "long": str(place.center_longitude)}
    data |= changes
    if "address_string" in changes:
        data.pop("lat")
        data.pop("long")

    response = post_request(client, fmt, **data)

    assert response.status_code == status
    assert errors(response, fmt)
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_wrong_or_revoked_key_is_refused_with_403(
    client: Client, fmt: str, partner_key: tuple[Open311Key, str]
) -> None:
    key, raw = partner_key
    place = district()
    data = {"service_code": "road", "lat": str(place.center_latitude)}
    data["long"] = str(place.center_longitude)

    missing = post_request(client, fmt, **data)
    wrong = post_request(client, fmt, api_key=raw[:-2] + "xx", **data)
    open311_key_revoke(key=key)
    revoked = post_request(client, fmt, api_key=raw, **data)

    for response in (missing, wrong, revoked):
        assert response.status_code == 403
        assert errors(response, fmt)
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_lists_reports_with_every_field_and_zoned_times(client: Client, fmt: str) -> None:
    report = ReportFactory.create(description="Pothole", contact_email="secret@example.org")

    response = client.get(f"/open311/v2/requests.{fmt}")

    assert response.status_code == 200
    [record] = records(response, fmt, "request")
    # Every field, in the specification's order.
    assert list(record) == REQUEST_FIELDS
    assert record["service_request_id"] == str(report.pk)
    assert record["status"] == "open"
    assert record["status_notes"].startswith("open")
    assert float(record["lat"]) == pytest.approx(report.latitude)
    requested = datetime.datetime.fromisoformat(record["requested_datetime"])
    expected = datetime.datetime.fromisoformat(record["expected_datetime"])
    assert requested.utcoffset() == datetime.timedelta(hours=9)
    assert expected - requested == datetime.timedelta(days=report.category.target_days)
    assert b"secret@example.org" not in response.content


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_filter_by_ids_code_status_and_dates(client: Client, fmt: str) -> None:
    old = ReportFactory.create(created_at=timezone.now() - datetime.timedelta(days=120))
    road = ReportFactory.create()
    light = ReportFactory.create(category=category("streetlight"), status=Report.Status.CLOSED)

    def ids(**query: str) -> set[int]:
        response = client.get(f"/open311/v2/requests.{fmt}", query)
        assert response.status_code == 200
        return {int(record["service_request_id"]) for record in records(response, fmt, "request")}

    assert ids() == {road.pk, light.pk}
    assert ids(service_request_id=f"{old.pk},{light.pk}") == {old.pk, light.pk}
    assert ids(service_code="streetlight") == {light.pk}
    assert ids(service_code="road,streetlight") == {road.pk, light.pk}
    assert ids(status="open") == {road.pk}
    assert ids(status="closed") == {light.pk}
    start = (timezone.now() - datetime.timedelta(days=130)).isoformat()
    end = (timezone.now() - datetime.timedelta(days=100)).isoformat()
    assert ids(start_date=start, end_date=end) == {old.pk}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_code_among_several_is_a_404_naming_it(client: Client, fmt: str) -> None:
    response = client.get(f"/open311/v2/requests.{fmt}", {"service_code": "road,teleporter"})

    assert response.status_code == 404
    [error] = errors(response, fmt)
    assert "teleporter" in error["description"]
    assert "road" not in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_answer_at_most_1000_reports_newest_first(client: Client, fmt: str) -> None:
    place = district()
    now = timezone.now()
    Report.objects.bulk_create(
        Report(
            category=category(),
            description=f"Report {n}",
            district=place,
            latitude=place.center_latitude,
            longitude=place.center_longitude,
            created_at=now - datetime.timedelta(minutes=n),
            due_at=now + datetime.timedelta(days=7),
            **map_cells(latitude=place.center_latitude, longitude=place.center_longitude),
        )
        for n in range(1_001)
    )
    oldest = Report.objects.order_by("created_at").first()
    assert oldest is not None

    response = client.get(f"/open311/v2/requests.{fmt}")

    found = [int(record["service_request_id"]) for record in records(response, fmt, "request")]
    assert len(found) == 1_000
    assert oldest.pk not in found


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_method_an_endpoint_does_not_take_is_refused_in_the_specs_shape(
    client: Client, fmt: str, partner_key: tuple[Open311Key, str]
) -> None:
    place = district()
    filing = {
        "api_key": partner_key[1],
        "service_code": "road",
        "lat": str(place.center_latitude),
        "long": str(place.center_longitude),
        "description": "Broken",
    }

    posted = client.post(f"/open311/v2/services.{fmt}", filing)
    put = client.put(f"/open311/v2/requests.{fmt}")

    assert posted.status_code == put.status_code == 405
    assert posted["Allow"] == "GET"
    assert put["Allow"] == "GET, POST"
    assert errors(posted, fmt)
    assert errors(put, fmt)
    assert not Report.objects.exists()


BAD_QUERIES: list[tuple[str, dict[str, str]]] = [
    ("a malformed date", {"start_date": "last tuesday"}),
    ("a reversed range", {"start_date": "2025-03-01T00:00:00Z", "end_date": "2025-02-01"}),
    ("a range over 90 days", {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01"}),
    ("an unknown status", {"status": "pending"}),
    ("malformed ids", {"service_request_id": "1,two"}),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "query"), BAD_QUERIES, ids=[c[0] for c in BAD_QUERIES])
def test_bad_request_queries_get_400(
    client: Client, fmt: str, case: str, query: dict[str, str]
) -> None:
    response = client.get(f"/open311/v2/requests.{fmt}", query)

    assert response.status_code == 400
    assert errors(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_by_id_and_by_token(client: Client, fmt: str) -> None:
    report = ReportFactory.create()

    by_id = client.get(f"/open311/v2/requests/{report.pk}.{fmt}")
    by_token = client.get(f"/open311/v2/tokens/{report.token}.{fmt}")
    missing = client.get(f"/open311/v2/requests/{report.pk + 1000}.{fmt}")
    no_token = client.get(f"/open311/v2/tokens/00000000-0000-0000-0000-000000000000.{fmt}")

    assert [r["service_request_id"] for r in records(by_id, fmt, "request")] == [str(report.pk)]
    assert records(by_token, fmt, "request") == [
        {"service_request_id": str(report.pk), "token": str(report.token)}
    ]
    assert missing.status_code == no_token.status_code == 404
    assert errors(missing, fmt)
    assert errors(no_token, fmt)


def test_sensitive_places_are_rounded_for_partners(client: Client) -> None:
    report = ReportFactory.create(
        category=category("safety"), latitude=37.5012345, longitude=127.0398765
    )

    [record] = json.loads(client.get(f"/open311/v2/requests/{report.pk}.json").content)

    assert (record["lat"], record["long"]) == (37.501, 127.04)


def test_the_key_command_prints_only_a_working_key(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from portal.reports.services import open311_key_check

    call_command("open311_key", "Seoul Smart Complaints")

    printed = capsys.readouterr().out.strip()
    assert "\n" not in printed
    assert len(printed) >= 40
    key = open311_key_check(printed)
    assert key is not None
    assert key.name == "Seoul Smart Complaints"
    assert printed not in key.key_hash
