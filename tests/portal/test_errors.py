"""Errors answer in the API's JSON shape under /api/, and with the site's own pages elsewhere."""

from __future__ import annotations

from typing import NoReturn

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from portal import selectors
from portal.api import DistrictViewSet
from portal.models import User

ENGLISH = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def _production(settings: Settings) -> None:
    # With DEBUG on Django shows its own technical pages instead of ours.
    settings.DEBUG = False


def fail(*args: object, **kwargs: object) -> NoReturn:
    raise RuntimeError("the database caught fire")


@pytest.mark.django_db
def test_an_unknown_page_answers_404_with_the_site_page_in_korean(client: Client) -> None:
    response = client.get("/nope/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ko">' in page
    assert "페이지를 찾을 수 없습니다" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


@pytest.mark.django_db
def test_an_unknown_page_answers_404_in_english_to_who_asks_for_it(client: Client) -> None:
    response = client.get("/nope/", headers=ENGLISH)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_api_address_answers_404_in_the_api_error_shape(client: Client) -> None:
    response = client.get("/api/nope/", headers=ENGLISH)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


@pytest.mark.django_db
def test_an_api_view_that_fails_answers_500_in_the_api_error_shape(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DistrictViewSet, "get_queryset", fail)
    client.raise_request_exception = False

    response = client.get("/api/districts/", headers=ENGLISH)

    assert response.status_code == 500
    assert response.json() == {
        "error": {"status": 500, "code": "internal_error", "message": "A server error occurred."}
    }
    assert "caught fire" not in response.content.decode()


@pytest.mark.django_db
def test_a_page_that_fails_answers_500_with_the_site_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "district_list", fail)
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "포털에 문제가 생겼습니다" in page
    assert "caught fire" not in page


@pytest.mark.django_db
def test_a_page_someone_may_not_open_answers_403_with_the_site_page(
    client: Client, manager: User
) -> None:
    client.force_login(manager)

    response = client.get("/admin/portal/user/")

    assert response.status_code == 403
    assert "접근할 수 없습니다" in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_a_foreign_host_answers_400_as_a_page_or_as_json(client: Client) -> None:
    page = client.get("/", headers={"host": "evil.example", **ENGLISH})
    api = client.get("/api/districts/", headers={"host": "evil.example", **ENGLISH})

    assert page.status_code == 400
    assert "Bad request" in page.content.decode()
    assert api.status_code == 400
    assert api.json()["error"]["status"] == 400


@pytest.mark.parametrize("template", ["400.html", "403.html", "404.html", "500.html"])
def test_the_error_pages_render_with_no_context_request_or_database(template: str) -> None:
    # No django_db mark: a query would fail the test.
    with translation.override("en"):
        page = render_to_string(template)

    assert template.removesuffix(".html") in page
    assert "{%" not in page
    assert 'href="/"' in page
