from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever catalogue the site ships."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """A browser that asks for English pages (the site's default is Korean)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def _tasks_inline(eager_tasks: None) -> None:
    """Run Celery tasks in the test's process even when a broker is configured."""
