"""API clients that call too often get 429 with Retry-After, in the API's error shape.

Anonymous callers are counted by address, logged-in people by account; both rates are settings.
"""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from portal.models import User
from tests.portal.test_settings import run_django
from tests.portal.tour import openapi_schema

pytestmark = pytest.mark.django_db


def test_an_anonymous_client_is_throttled_at_the_default_rate() -> None:
    client = Client(headers={"accept-language": "en"})
    statuses = [client.get("/api/metrics/").status_code for _ in range(120)]
    assert set(statuses) == {200}
    throttled = client.get("/api/metrics/")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    error = throttled.json()["error"]
    assert error["status"] == 429
    assert error["code"] == "throttled"
    assert "throttled" in error["message"]


def test_another_address_has_its_own_allowance(settings: Settings) -> None:
    settings.API_THROTTLE_ANONYMOUS = "2/minute"
    client = Client()
    for _ in range(2):
        assert client.get("/api/metrics/", REMOTE_ADDR="10.1.0.1").status_code == 200
    assert client.get("/api/metrics/", REMOTE_ADDR="10.1.0.1").status_code == 429
    assert client.get("/api/metrics/", REMOTE_ADDR="10.1.0.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_buy_a_new_allowance(settings: Settings) -> None:
    settings.API_THROTTLE_ANONYMOUS = "2/minute"
    client = Client()
    for number in range(2):
        client.get("/api/metrics/", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert client.get("/api/metrics/", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_a_logged_in_person_is_counted_by_account(settings: Settings, citizen: User) -> None:
    settings.API_THROTTLE_ANONYMOUS = "1/minute"
    settings.API_THROTTLE_USER = "3/minute"
    anonymous = Client()
    anonymous.get("/api/metrics/")
    assert anonymous.get("/api/metrics/").status_code == 429
    # Logged in at the same address, the person has their own, larger allowance...
    client = Client()
    client.force_login(citizen)
    for _ in range(3):
        assert client.get("/api/metrics/").status_code == 200
    # ...which follows them to another address.
    assert client.get("/api/metrics/", REMOTE_ADDR="10.1.1.1").status_code == 429


def test_off_turns_a_throttle_off(settings: Settings) -> None:
    settings.API_THROTTLE_ANONYMOUS = None
    client = Client()
    assert {client.get("/api/metrics/").status_code for _ in range(150)} == {200}


def test_every_operation_documents_the_throttled_answer() -> None:
    schema = openapi_schema()
    for operations in schema["paths"].values():
        for operation in operations.values():
            throttled = operation["responses"]["429"]
            assert "Retry-After" in throttled["headers"]


def test_a_rate_the_settings_cannot_read_names_its_variable() -> None:
    result = run_django("pass", API_THROTTLE_ANONYMOUS="lots")
    assert result.returncode != 0
    assert "API_THROTTLE_ANONYMOUS must be a rate like 120/minute" in result.stderr
