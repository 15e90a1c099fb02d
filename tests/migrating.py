"""Moving the test database between migrations, for tests of data migrations."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str | None]]) -> Any:
    """Migrate the test database to `targets` and return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    reached = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(reached).apps


def leaf_nodes() -> list[tuple[str, str]]:
    """Every app's last migration."""
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def migrate_to_the_end() -> Any:
    """Migrate every app to its last migration and return the historical apps there."""
    targets: list[tuple[str, str | None]] = list(leaf_nodes())
    return migrate(targets)
