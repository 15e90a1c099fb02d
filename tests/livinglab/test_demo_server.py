"""The demo serves as production does: the site's own error pages, static files still served."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from pytest_django import Settings

from portal.livinglab.management.commands.demo import serve_like_production

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    # Recorded here, so that the fixture puts them back after the test.
    settings.DEBUG = True
    settings.WHITENOISE_USE_FINDERS = False
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    return settings


def test_a_wrong_address_gets_the_sites_own_404_page_not_the_debug_one(
    demo_settings: Settings,
) -> None:
    serve_like_production("127.0.0.1:8000")

    response = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "URLconf" not in response.content.decode()
    assert "Seoul Living Lab" in response.content.decode()


def test_static_files_are_still_served_from_the_apps_folders(demo_settings: Settings) -> None:
    serve_like_production("127.0.0.1:8000")

    assert django_settings.DEBUG is False
    # A WhiteNoise setting, which django-stubs does not know.
    assert django_settings.WHITENOISE_USE_FINDERS is True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("addrport", "allowed"),
    [
        ("0.0.0.0:8080", ["*"]),
        ("192.168.0.7:8000", ["localhost", "127.0.0.1", "testserver", "192.168.0.7"]),
    ],
)
def test_the_address_served_on_is_an_allowed_host(
    demo_settings: Settings, addrport: str, allowed: list[str]
) -> None:
    serve_like_production(addrport)

    assert allowed == django_settings.ALLOWED_HOSTS
