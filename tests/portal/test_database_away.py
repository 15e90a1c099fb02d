"""A database that is away for a moment answers 503 with Retry-After, on pages and the API."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from portal.models import User

pytestmark = pytest.mark.django_db


def away(*args: object, **kwargs: object) -> None:
    raise OperationalError("the database is away")


@pytest.fixture(autouse=True)
def _retry_after(settings: Settings) -> None:
    settings.DATABASE_RETRY_AFTER = 9
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_api_endpoint_answers_503_with_retry_after(
    client: Client, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error("the database is away")

    monkeypatch.setattr("sensors.api.MetricViewSet.get_queryset", fail)

    response = client.get("/api/metrics/")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "9"
    assert response.json()["error"]["code"] == "unavailable"
    assert response.json()["error"]["message"]


def test_other_database_errors_stay_server_errors(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    def fault(*args: object, **kwargs: object) -> None:
        raise IntegrityError("a broken constraint")

    monkeypatch.setattr("sensors.api.MetricViewSet.get_queryset", fault)
    client.raise_request_exception = False

    response = client.get("/api/metrics/")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_a_page_answers_503_with_retry_after(
    client: Client, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(citizen)
    monkeypatch.setattr("pilots.views._pilot_or_404", away)

    response = client.get(reverse("pilots:detail", args=["smart-crosswalk"]))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "9"
    assert "unavailable for a moment" in response.content.decode()
