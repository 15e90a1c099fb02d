"""The read API: districts, pilots, devices and metrics, paginated, with one error shape."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from pilots.models import Pilot
from sensors.models import Device
from tests.pilots.factories import PilotFactory
from tests.sensors.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_the_api_root_lists_the_endpoints(api: APIClient) -> None:
    body = api.get("/api/", format="json").json()
    assert set(body) >= {"districts", "pilots", "devices", "metrics"}


def test_districts_are_paginated_with_names_in_both_languages(api: APIClient) -> None:
    body = api.get("/api/districts/?page_size=10").json()
    assert body["count"] == 25
    assert len(body["results"]) == 10
    assert body["next"].endswith("page=2&page_size=10")
    gangnam = api.get("/api/districts/gangnam-gu/").json()
    assert gangnam["name_ko"] == "강남구"
    assert gangnam["name_en"] == "Gangnam-gu"
    assert gangnam["boundary"]["type"] in {"Polygon", "MultiPolygon"}


def test_districts_come_as_one_geojson_collection(api: APIClient) -> None:
    body = api.get("/api/districts/geojson/").json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 25


def test_pilots_filter_by_domain_phase_district_and_text(api: APIClient) -> None:
    PilotFactory.create(
        title="Crosswalk lights", domain=Pilot.Domain.SAFETY, districts=["gangnam-gu"]
    )
    PilotFactory.create(
        title="Rooftop solar", domain=Pilot.Domain.ENERGY, phase=Pilot.Phase.RECRUITING
    )

    def titles(query: str) -> list[str]:
        return [pilot["title"] for pilot in api.get(f"/api/pilots/?{query}").json()["results"]]

    assert titles("domain=energy") == ["Rooftop solar"]
    assert titles("phase=running") == ["Crosswalk lights"]
    assert titles("district=gangnam-gu&q=lights") == ["Crosswalk lights"]
    assert titles("q=nothing-like-this") == []


def test_a_bad_filter_gets_a_400_naming_the_field(api: APIClient) -> None:
    response = api.get("/api/pilots/?phase=flying", headers={"accept-language": "en"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] == "invalid"
    assert error["message"].startswith("phase:")
    assert "phase" in error["details"]


@pytest.mark.parametrize("query", ["phase=", "domain=", "q=", "district=", "district=a%20b"])
def test_an_empty_or_malformed_filter_is_refused_rather_than_ignored(
    api: APIClient, query: str
) -> None:
    response = api.get(f"/api/pilots/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["error"]["details"]


@pytest.mark.parametrize("size", ["null", "0", "-1", "2.5", "501", ""])
def test_a_page_size_outside_1_to_500_is_refused_rather_than_ignored(
    api: APIClient, size: str
) -> None:
    response = api.get(f"/api/districts/?page_size={size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["details"]


def test_a_page_past_the_last_is_not_found(api: APIClient) -> None:
    assert api.get("/api/districts/?page=2").status_code == 404
    assert len(api.get("/api/districts/?page_size=500").json()["results"]) == 25


def test_a_missing_object_gets_the_same_error_shape(api: APIClient) -> None:
    response = api.get("/api/pilots/no-such-pilot/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_private_devices_are_not_listed(api: APIClient) -> None:
    DeviceFactory.create(name="street-station")
    DeviceFactory.create(name="inside-a-home", visibility=Device.Visibility.PRIVATE)
    names = [device["name"] for device in api.get("/api/devices/").json()["results"]]
    assert names == ["street-station"]
    assert api.get("/api/metrics/pm25/").json()["unit"] == "µg/m³"


def test_the_openapi_schema_and_its_documentation_page_answer(api: APIClient) -> None:
    schema = api.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/pilots/" in schema.json()["paths"]
    operation = schema.json()["paths"]["/api/me/enrolments/"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "415", "429"}
    assert operation["security"] == [{"cookieAuth": [], "csrfCookie": [], "csrfHeader": []}]
    listing = schema.json()["paths"]["/api/pilots/"]["get"]
    assert {} in listing["security"]
    assert listing["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    device = schema.json()["components"]["schemas"]["Device"]["properties"]["pilot"]
    assert device["nullable"] is True
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()


def _schema(api: APIClient) -> dict[str, Any]:
    schema: dict[str, Any] = api.get(
        "/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"}
    ).json()
    return schema


def test_a_change_under_a_session_needs_the_csrf_cookie_and_header_and_a_read_does_not(
    api: APIClient,
) -> None:
    schema = _schema(api)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["csrfCookie"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "csrftoken",
        "description": schemes["csrfCookie"]["description"],
    }
    assert (schemes["csrfHeader"]["in"], schemes["csrfHeader"]["name"].lower()) == (
        "header",
        "x-csrftoken",
    )
    paths = schema["paths"]
    assert paths["/api/me/enrolments/"]["get"]["security"] == [{"cookieAuth": []}]
    withdraw = paths["/api/me/enrolments/{pilot}/withdraw/"]["post"]
    assert withdraw["security"] == [{"cookieAuth": [], "csrfCookie": [], "csrfHeader": []}]


def test_request_bodies_take_no_other_fields_and_files_as_bytes(api: APIClient) -> None:
    components = _schema(api)["components"]["schemas"]
    for body in ["JoinInput", "ConsentInput", "WithdrawInput", "AnswersInput", "ReportCreate"]:
        assert components[body]["additionalProperties"] is False, body
    report = components["ReportCreate"]["properties"]
    assert report["photos"]["items"] == {"type": "string", "format": "binary", "minLength": 1}
    # A form has no null: a report about no device leaves `device` out.
    assert report["device"] == {"type": "integer"}


def test_state_refusals_are_documented_with_their_statuses(api: APIClient) -> None:
    paths = _schema(api)["paths"]
    join = paths["/api/me/enrolments/"]["post"]["responses"]
    assert {"403", "404", "409"} <= set(join)
    assert "consent_outdated" in join["409"]["description"]
    assert "not_eligible" in join["403"]["description"]
    withdraw = paths["/api/me/space-applications/{id}/withdraw/"]["post"]["responses"]
    assert "cannot_withdraw" in withdraw["409"]["description"]
    plan = paths["/api/pilots/{slug}/evaluation-plan/"]["get"]["responses"]
    assert plan["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    report = paths["/api/reports/"]["post"]["responses"]
    assert "device_unknown" in report["404"]["description"]
