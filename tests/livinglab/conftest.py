"""My living lab gathers every app, so its tests use the pilots' cast and settings."""

from __future__ import annotations

from tests.pilots.conftest import (  # noqa: F401
    _english,
    _tasks_inline,
    client,
    consent_v1,
    neighbour,
    resident,
)
