"""The admin asks staff and pilot managers for a one-time code after their password.

From the side of someone who has a manager's password and nothing else: the admin stays shut,
they cannot add an authenticator of their own to an account that has one, and guessing codes is
slowed down.
"""

from __future__ import annotations

import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from portal import services
from portal.livinglab import demo
from portal.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _two_factor_on(settings: Settings) -> None:
    settings.ADMIN_TWO_FACTOR = True


def _log_in(client: Client, username: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    assert response.status_code == 302, response.content[:500]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_manager_with_only_a_password_is_sent_to_set_up_an_app(
    client: Client, manager: User
) -> None:
    _log_in(client, "manager")
    response = client.get("/admin/pilots/pilot/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2Fpilots%2Fpilot%2F"
    page = client.get(response["Location"], headers={"accept-language": "en"})
    html = page.content.decode()
    assert "<svg" in html
    assert 'id="qr-path"' in html
    device = TOTPDevice.objects.get(user=manager)
    assert not device.confirmed
    assert re.search(r'<code class="secret">[A-Z2-7]{32}</code>', html)


def test_setting_up_the_app_opens_the_admin_and_shows_backup_codes_once(
    client: Client, manager: User
) -> None:
    _log_in(client, "manager")
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=manager)
    wrong = client.post("/accounts/two-factor/setup/", {"token": "000000"})
    assert wrong.status_code == 400
    assert client.get("/admin/").status_code == 302
    # A wrong code slows the next try down; the right one, a moment later, is taken.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    confirmed = client.post(
        "/accounts/two-factor/setup/", {"token": _code(device), "next": "/admin/pilots/pilot/"}
    )
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", confirmed.content.decode())
    assert len(codes) == services.BACKUP_CODE_COUNT
    assert 'href="/admin/pilots/pilot/"' in confirmed.content.decode()
    assert client.get("/admin/pilots/pilot/").status_code == 200

    # Next session: the password, then a backup code, which works once.
    client.post("/admin/logout/")
    _log_in(client, "manager")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/?next=")
    used = client.post("/accounts/two-factor/", {"token": codes[0], "next": "/admin/"})
    assert used["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    _log_in(client, "manager")
    assert client.post("/accounts/two-factor/", {"token": codes[0]}).status_code == 400


def test_the_app_code_opens_the_admin(client: Client, manager: User) -> None:
    device = TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    _log_in(client, "manager")
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    response = client.post(
        "/accounts/two-factor/?next=%2Fadmin%2F", {"token": _code(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_cannot_add_an_app_to_an_account_that_has_one(
    client: Client, manager: User
) -> None:
    TOTPDevice.objects.create(user=manager, name="the manager's phone", confirmed=True)
    _log_in(client, "manager")
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_guessing_codes_is_slowed_down(client: Client, manager: User) -> None:
    device = TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    _log_in(client, "manager")
    assert client.post("/accounts/two-factor/", {"token": "123456"}).status_code == 400
    # Straight after a miss even the right code is refused; the wait doubles with each miss.
    assert client.post("/accounts/two-factor/", {"token": _code(device)}).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    assert client.get("/admin/").status_code == 302


def test_a_redirect_after_the_code_stays_on_the_site(client: Client, manager: User) -> None:
    device = TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    _log_in(client, "manager")
    response = client.post(
        "/accounts/two-factor/", {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_citizens_have_no_second_factor_pages(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert client.get("/accounts/two-factor/setup/").status_code == 403
    assert client.get("/accounts/two-factor/").status_code == 403
    assert not TOTPDevice.objects.exists()


def test_the_site_itself_needs_no_second_factor(client: Client, manager: User) -> None:
    _log_in(client, "manager")
    assert client.get("/pilots/").status_code == 200
    assert client.get("/me/").status_code == 200


def test_staff_can_give_a_colleague_a_new_backup_code_with_a_command(manager: User) -> None:
    TOTPDevice.objects.create(user=manager, name="lost phone", confirmed=True)
    call_command("addstatictoken", "manager", "-t", "recover1", stdout=StringIO())
    client = Client()
    _log_in(client, "manager")
    assert client.post("/accounts/two-factor/", {"token": "recover1"}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_demo_prints_codes_that_get_its_manager_into_the_admin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The seeding is beside the point here, and slow.
    result = SimpleNamespace(districts=25, pilots=0, devices=0, readings_added=0, reports=0)
    monkeypatch.setattr(demo, "seed", lambda: result)
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    printed = out.getvalue()
    password = printed.split("password ")[1].split()[0]
    codes = printed.split("each works once): ")[1].split("\n")[0].split()
    assert len(codes) == 5
    client = Client()
    _log_in(client, "manager", password)
    assert client.post("/accounts/two-factor/", {"token": codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticDevice.objects.get(user__username="manager").token_set.count() == 4
