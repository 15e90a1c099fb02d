"""Migrating a fresh database gives the reference data that the live code describes.

The data migrations hold their own copies of the roles' permissions, the metric catalogue and the
districts' geometry, so that an old migration keeps its meaning when the code changes. A change
to portal.roles, sensors.catalogue or portal.geo therefore needs a migration of its own; these
tests notice when one is missing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.geo import seoul_districts
from portal.roles import ROLE_PERMISSIONS
from sensors.catalogue import METRICS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(name="migrated", scope="module")
def migrated_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """A fresh SQLite database that `manage.py migrate` has just built, as a plain connection."""
    path = tmp_path_factory.mktemp("fresh") / "portal.sqlite3"
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "MQTT_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    database = sqlite3.connect(path)
    yield database
    database.close()


def all_permissions(database: sqlite3.Connection) -> set[str]:
    """Every permission in the database, as "app_label.codename"."""
    return {
        f"{app_label}.{codename}"
        for app_label, codename in database.execute(
            "SELECT ct.app_label, p.codename FROM auth_permission p"
            " JOIN django_content_type ct ON ct.id = p.content_type_id"
        )
    }


def test_each_role_group_has_exactly_the_permissions_its_role_lists(
    migrated: sqlite3.Connection,
) -> None:
    every_permission = all_permissions(migrated)
    expected = {
        str(role): {
            permission
            for permission in every_permission
            for name in names
            if permission == name
            or (name.endswith(".*") and permission.startswith(name.removesuffix("*")))
        }
        for role, names in ROLE_PERMISSIONS.items()
    }
    granted: dict[str, set[str]] = {
        name: set() for (name,) in migrated.execute("SELECT name FROM auth_group")
    }
    for group, app_label, codename in migrated.execute(
        "SELECT g.name, ct.app_label, p.codename FROM auth_group g"
        " JOIN auth_group_permissions gp ON gp.group_id = g.id"
        " JOIN auth_permission p ON p.id = gp.permission_id"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
    ):
        granted[group].add(f"{app_label}.{codename}")

    assert granted == expected


def test_every_permission_a_role_lists_exists(migrated: sqlite3.Connection) -> None:
    # A name misspelt in portal.roles would otherwise grant nothing, silently.
    every_permission = all_permissions(migrated)
    named = {name for names in ROLE_PERMISSIONS.values() for name in names if "*" not in name}

    assert named - every_permission == set()


def test_the_metric_catalogue_is_the_one_sensors_catalogue_describes(
    migrated: sqlite3.Connection,
) -> None:
    expected = sorted((dict(spec) for spec in METRICS), key=lambda spec: str(spec["code"]))
    fields = list(expected[0])
    # The column names are the catalogue's own keys, not input.
    query = f"SELECT {', '.join(fields)} FROM sensors_metric ORDER BY code"  # noqa: S608
    rows = migrated.execute(query)

    assert [dict(zip(fields, row, strict=True)) for row in rows] == expected


def test_the_districts_are_the_ones_portal_geo_describes(migrated: sqlite3.Connection) -> None:
    expected = sorted(seoul_districts(), key=lambda district: district["code"])
    fields = list(expected[0])
    # The column names are portal.geo's own keys, not input.
    query = f"SELECT {', '.join(fields)} FROM portal_district ORDER BY code"  # noqa: S608
    rows = migrated.execute(query)
    loaded = [dict(zip(fields, row, strict=True)) for row in rows]
    for district in loaded:
        district["boundary"] = json.loads(district["boundary"])

    assert len(loaded) == 25
    assert loaded == expected
