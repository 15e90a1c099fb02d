"""Shared fixtures: a fixed cast of people, and switches for tests that need the real services.

Integration tests run against PostgreSQL, Redis and Mosquitto when DATABASE_URL, REDIS_URL and
MQTT_URL name them (CI sets all three); without them they are skipped, and the rest of the suite
runs on the embedded defaults.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from pytest_django import Settings

from pilots.models import Pilot
from portal.cache import local_pages_clear
from portal.models import User
from portal.roles import Role
from tests.pilots.factories import PilotFactory
from tests.portal.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Settings, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # The admin's second factor has tests of its own (tests/portal/test_two_factor.py); the
    # others log staff in with force_login, which gives no one-time code.
    settings.ADMIN_TWO_FACTOR = False
    # API throttles count in the cache: each test starts with none of the last one's requests.
    cache.clear()
    # Nor with the pages a server process keeps for itself (portal.cache).
    local_pages_clear()


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Restore the districts, metrics and role groups that migrations load.

    A transactional test empties every table when it ends, so the next one would find no districts.
    """
    marker = request.node.get_closest_marker("django_db")
    if not marker or not (marker.kwargs.get("transaction") or "transaction" in marker.args):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from portal.roles import sync_role_groups
    from portal.services import districts_sync_seoul
    from sensors.catalogue import METRICS
    from sensors.models import Metric

    districts_sync_seoul()
    for spec in METRICS:
        Metric.objects.update_or_create(code=spec["code"], defaults=dict(spec))
    # The report categories, as the reports migration that loads them lists them.
    from portal.reports.models import Category

    loaded = import_module("portal.reports.migrations.0003_fill_categories").CATEGORIES
    for code, name_ko, name_en, target_days, sensitive, order in loaded:
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "target_days": target_days,
                "sensitive": sensitive,
                "order": order,
            },
        )
    # sync_role_groups is written for migrations and clears `models_module`; put it back.
    saved = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        sync_role_groups(apps)
    finally:
        for config in apps.get_app_configs():
            config.models_module = saved[config.label]


requires_postgres = pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="needs DATABASE_URL naming PostgreSQL"
)
requires_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
requires_broker = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL"
)
requires_mqtt = pytest.mark.skipif(not settings.MQTT_URL, reason="needs MQTT_URL")
requires_chromium = pytest.mark.skipif(
    not os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")),
    reason="needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH)",
)


@pytest.fixture
def citizen(db: None) -> User:
    return UserFactory.create(username="citizen")


@pytest.fixture
def outsider(db: None) -> User:
    """A logged-in citizen with no part in whatever the test is about."""
    return UserFactory.create(username="outsider")


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory.create(username="manager", role=Role.PILOT_MANAGER)


@pytest.fixture
def other_manager(db: None) -> User:
    return UserFactory.create(username="other-manager", role=Role.PILOT_MANAGER)


@pytest.fixture
def staff_user(db: None) -> User:
    return UserFactory.create(username="staff", role=Role.STAFF)


@pytest.fixture
def pilot(db: None, manager: User) -> Pilot:
    """A running pilot in Gangnam-gu, managed by `manager`."""
    created = PilotFactory.create(title="Smart crosswalk", slug="smart-crosswalk")
    created.managers.add(manager)
    return created


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run Celery tasks inline even when a broker is configured, for tests without a worker."""
    from portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
