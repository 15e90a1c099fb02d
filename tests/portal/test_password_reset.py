"""A person who forgot their password gets a link by e-mail and chooses a new one."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from pytest_django import Settings

from portal.models import User

pytestmark = pytest.mark.django_db


def _reset_link(settings: Settings) -> str:
    (message,) = mail.outbox
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password-reset/\S+/)", message.body
    )
    assert found, message.body
    return str(found[1])


def test_a_person_resets_their_password_through_the_link(
    client: Client, settings: Settings, citizen: User
) -> None:
    page = client.get("/accounts/login/")
    assert 'href="/accounts/password-reset/"' in page.content.decode()
    sent = client.post("/accounts/password-reset/", {"email": "CITIZEN@example.org"})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox[0].to == ["citizen@example.org"]

    link = _reset_link(settings)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert 'name="new_password1"' in form.content.decode()
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/accounts/password-reset/done/"
    citizen.refresh_from_db()
    assert citizen.check_password("a brand new passphrase")
    # The link works once.
    again = client.get(link, follow=True)
    assert 'name="new_password1"' not in again.content.decode()


def test_an_unknown_address_is_answered_alike_and_mails_nobody(client: Client) -> None:
    sent = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_the_link_names_the_portals_address_not_the_requests_host(
    client: Client, settings: Settings, citizen: User
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    client.post(
        "/accounts/password-reset/", {"email": "citizen@example.org"}, HTTP_HOST="evil.example"
    )
    assert "evil.example" not in mail.outbox[0].body
    assert _reset_link(settings)


def test_the_admin_login_offers_the_reset(client: Client) -> None:
    page = client.get("/admin/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in page


def test_the_reset_pages_answer_in_korean_and_english(client: Client) -> None:
    english = client.get("/accounts/password-reset/", headers={"accept-language": "en"})
    assert "Reset your password" in english.content.decode()
    korean = client.get("/accounts/password-reset/", headers={"accept-language": "ko"})
    assert '<html lang="ko"' in korean.content.decode()
