from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from pilots.models import ConsentVersion, Pilot
from portal.models import User
from tests.pilots.factories import consent
from tests.portal.factories import UserFactory, district


@pytest.fixture
def consent_v1(pilot: Pilot) -> ConsentVersion:
    return consent(pilot)


@pytest.fixture
def resident(db: None) -> User:
    """A citizen living in Gangnam-gu, born in 1990."""
    import datetime as dt

    user: User = UserFactory.create(
        username="resident",
        home_district=district("gangnam-gu"),
        birth_date=dt.date(1990, 5, 1),
        preferred_language="en",
    )
    return user


@pytest.fixture
def neighbour(db: None) -> User:
    """Another Gangnam-gu resident, also born in 1990."""
    import datetime as dt

    user: User = UserFactory.create(
        username="neighbour", home_district=district("gangnam-gu"), birth_date=dt.date(1990, 6, 1)
    )
    return user


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
