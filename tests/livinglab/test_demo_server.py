"""The demo serves as production does: the site's own error pages, static files still served."""

from __future__ import annotations

import logging
import logging.config
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client
from django.utils.log import configure_logging
from pytest_django import Settings
from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]

from portal.livinglab.management.commands.demo import quiet_request_logs, serve_like_production

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


@pytest.fixture
def logging_restored(settings: Settings) -> Iterator[Settings]:
    settings.LOGGING = django_settings.LOGGING
    yield settings
    logging.config.dictConfig(settings.LOGGING)


def test_request_lines_stay_quiet_after_django_is_set_up_again(
    logging_restored: Settings,
) -> None:
    quiet_request_logs()
    # What loading the ASGI application does (django.setup), which once reset the levels.
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)

    server = logging.getLogger("django.channels.server")
    assert not server.isEnabledFor(logging.INFO)
    assert server.isEnabledFor(logging.WARNING)
    assert not logging.getLogger("celery.app.trace").isEnabledFor(logging.INFO)


def test_whitenoise_does_not_warn_of_the_static_folder_the_demo_does_not_need(
    demo_settings: Settings, tmp_path: Path
) -> None:
    demo_settings.STATIC_ROOT = str(tmp_path / "never-collected")

    with warnings.catch_warnings(record=True) as caught:
        # Every warning shown, as on the demo's console (the test settings ignore this one).
        warnings.resetwarnings()
        warnings.simplefilter("always")
        serve_like_production("127.0.0.1:8000")
        WhiteNoiseMiddleware(lambda request: HttpResponse())

    assert not [warning for warning in caught if "No directory" in str(warning.message)]
