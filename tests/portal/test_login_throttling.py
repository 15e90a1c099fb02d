"""Guessing passwords: an account, or an address, that keeps failing is locked out for a while.

From the guesser's side: after LOGIN_FAILURE_LIMIT wrong passwords even the right one is refused,
whether the guesses aim at one account from many places or at many accounts from one place.
Staff unlock from the admin or with django-axes's commands.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from portal.models import User
from portal.roles import Role
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery staple"


def _log_in(client: Client, username: str, password: str, *, address: str = "10.0.0.1") -> int:
    response = client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _guess(client: Client, username: str, times: int, *, address: str = "10.0.0.1") -> None:
    """`times` wrong passwords: the last one reaching the limit is answered with the lockout."""
    statuses = [_log_in(client, username, "wrong guess", address=address) for _ in range(times)]
    assert statuses[:-1] == [200] * (times - 1)


def test_the_right_password_after_five_wrong_ones_is_refused(citizen: User) -> None:
    client = Client(headers={"accept-language": "en"})
    _guess(client, "citizen", 5)
    response = client.post(
        "/accounts/login/", {"username": "citizen", "password": RIGHT}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many failed attempts to log in" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert not _logged_in(client)


def test_an_account_stays_locked_when_the_guesser_changes_address(citizen: User) -> None:
    client = Client()
    for attempt in range(5):
        _log_in(client, "citizen", "wrong guess", address=f"10.0.1.{attempt}")
    assert _log_in(client, "citizen", RIGHT, address="10.0.2.1") == 429
    assert not _logged_in(client)


def test_an_address_trying_many_accounts_is_locked_out_of_all_of_them(citizen: User) -> None:
    client = Client()
    for attempt in range(5):
        _log_in(client, f"someone-{attempt}", "wrong guess", address="10.0.3.1")
    assert _log_in(client, "citizen", RIGHT, address="10.0.3.1") == 429
    # The account itself is not locked: its owner elsewhere gets in.
    assert _log_in(Client(), "citizen", RIGHT, address="10.0.4.1") == 302


def test_fewer_failures_than_the_limit_do_not_lock_and_success_clears_them(citizen: User) -> None:
    client = Client()
    _guess(client, "citizen", 4)
    assert _log_in(client, "citizen", RIGHT) == 302
    other = Client()
    _guess(other, "citizen", 4)
    assert _log_in(other, "citizen", RIGHT) == 302


def test_the_limit_is_a_setting(settings: Settings, citizen: User) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    _guess(client, "citizen", 2)
    assert _log_in(client, "citizen", RIGHT) == 429


def test_the_lock_lifts_after_the_cool_off(citizen: User) -> None:
    client = Client()
    _guess(client, "citizen", 5)
    assert _log_in(client, "citizen", RIGHT) == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert _log_in(client, "citizen", RIGHT) == 302


def test_the_admin_login_is_locked_too_and_says_why(manager: User) -> None:
    client = Client(headers={"accept-language": "en"})
    for _ in range(5):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "manager", "password": "wrong"},
            REMOTE_ADDR="10.0.5.1",
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "manager", "password": RIGHT},
        REMOTE_ADDR="10.0.5.1",
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert 'class="errornote"' in page
    assert "Too many failed attempts to log in" in page
    assert 'id="login-form"' in page
    assert not _logged_in(client)


def test_staff_unlock_an_account_with_a_command(citizen: User) -> None:
    client = Client()
    _guess(client, "citizen", 5, address="10.0.6.1")
    call_command("axes_reset_username", "citizen")
    call_command("axes_reset_ip", "10.0.6.1")
    assert _log_in(client, "citizen", RIGHT, address="10.0.6.1") == 302


def test_staff_unlock_an_account_in_the_admin(citizen: User) -> None:
    _guess(Client(), "citizen", 5, address="10.0.7.1")
    staff = UserFactory.create(username="unlocker", role=Role.STAFF)
    admin = Client()
    admin.force_login(staff)
    changelist = admin.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert "citizen" in changelist.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    confirmed = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert confirmed.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _log_in(Client(), "citizen", RIGHT, address="10.0.7.1") == 302


def test_a_pilot_manager_cannot_unlock_accounts(manager: User) -> None:
    client = Client()
    client.force_login(manager)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
