from __future__ import annotations

import pytest

from portal.reports.models import Open311Key
from portal.reports.services import open311_key_create


@pytest.fixture
def partner_key(db: None) -> tuple[Open311Key, str]:
    """A live Open311 key of a partner app, and the key in clear."""
    return open311_key_create(name="Seoul Smart Complaints")


@pytest.fixture(autouse=True)
def _tasks_inline(eager_tasks: None) -> None:
    """Run Celery tasks in the test's process even when a broker is configured."""
