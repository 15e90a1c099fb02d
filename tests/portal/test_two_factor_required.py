"""Everyone the admin lets in gives a second factor first: seen from someone with no device yet.

A pilot manager, a reviewer or a member of staff with only a password reaches no admin page and
changes nothing through it, by any method or path; each is sent to set up an authenticator app,
and comes back where they were going.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from pilots.evaluation.models import EvaluationPlan
from pilots.models import Pilot
from portal.models import User
from portal.roles import Role
from tests.evaluation.factories import devices, sensor_indicator
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _two_factor_on(settings: Settings) -> None:
    settings.ADMIN_TWO_FACTOR = True


@pytest.fixture(params=[Role.PILOT_MANAGER, Role.REVIEWER, Role.STAFF])
def admin_user(request: pytest.FixtureRequest) -> User:
    user: User = UserFactory.create(username="admin-user", role=request.param)
    return user


def _log_in(client: Client, username: str) -> None:
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/pilots/pilot/",
        "/admin/pilots/pilot/add/",
        "/admin/sensors/device/",
        "/admin/password_change/",
        "/admin/jsi18n/",
    ],
)
def test_without_a_device_every_admin_page_sends_to_the_set_up(
    client: Client, admin_user: User, path: str
) -> None:
    _log_in(client, "admin-user")

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/two-factor/setup/?next={quote(path, safe='')}"


def test_without_a_device_a_form_post_changes_nothing(client: Client, admin_user: User) -> None:
    _log_in(client, "admin-user")
    before = Pilot.objects.count()

    response = client.post("/admin/pilots/pilot/add/", {"title_ko": "몰래", "slug": "sneaky"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    assert Pilot.objects.count() == before


def test_logging_in_through_the_site_does_not_skip_the_second_factor(
    client: Client, admin_user: User
) -> None:
    response = client.post("/accounts/login/", {"username": "admin-user", "password": PASSWORD})
    assert response.status_code == 302

    assert client.get("/admin/")["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2F"


def test_a_device_that_is_removed_takes_the_session_out_of_the_admin(
    client: Client, admin_user: User
) -> None:
    device = TOTPDevice.objects.create(user=admin_user, name="app", confirmed=True)
    client.force_login(admin_user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get("/admin/").status_code == 200

    device.delete()

    assert client.get("/admin/")["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2F"


def test_a_password_alone_does_not_change_an_evaluation_plan_through_the_api(
    client: Client, pilot: Pilot, manager: User
) -> None:
    """The API's operations for managers ask for the second factor as the admin does."""
    ours, theirs = devices(3), devices(3, slug="mapo-gu")
    body = {
        "indicators": [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])],
        # The pilot runs already: a plan changed now says why.
        "reason_en": "Because.",
    }
    url = f"/api/pilots/{pilot.slug}/evaluation-plan/"
    _log_in(client, "manager")

    refused = client.put(
        url, body, content_type="application/json", headers={"accept-language": "en"}
    )
    device = TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    allowed = client.put(url, body, content_type="application/json")

    assert refused.status_code == 403
    assert "one-time code" in refused.json()["error"]["message"]
    assert "/accounts/two-factor/" in refused.json()["error"]["message"]
    assert allowed.status_code == 200, allowed.content[:500]
    assert EvaluationPlan.objects.filter(pilot=pilot).count() == 1
