"""A new account's e-mail address is verified by a signed link sent at sign-up."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from pytest_django import Settings

from portal import services
from portal.models import User
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link_in_mail() -> str:
    found = re.search(r"https?://\S+(/accounts/verify-email/\S+/)", str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return found[1]


@pytest.fixture
def unverified(db: None) -> User:
    user: User = UserFactory.create(username="newcomer", verified_email="")
    return user


def test_signing_up_mails_a_link_that_verifies_the_address(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/accounts/signup/",
            {
                "username": "minji",
                "email": "Minji@Example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
                "preferred_language": "en",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="minji")
    assert not user.has_verified_email
    assert mail.outbox[0].to == ["minji@example.org"]

    verified = client.get(_link_in_mail())
    assert verified.status_code == 302
    assert verified["Location"] == "/me/"
    user.refresh_from_db()
    assert user.has_verified_email


def test_a_tampered_link_is_refused(client: Client, unverified: User) -> None:
    token = signing.dumps(
        {"user": unverified.pk, "email": unverified.email}, salt=services.VERIFICATION_SALT
    )
    response = client.get(f"/accounts/verify-email/{token[:-2]}xx/")
    assert response.status_code == 400
    unverified.refresh_from_db()
    assert not unverified.has_verified_email


def test_a_link_signed_for_something_else_is_refused(client: Client, unverified: User) -> None:
    # The same key signs other things (sessions, password resets); the salt keeps them apart.
    token = signing.dumps({"user": unverified.pk, "email": unverified.email})
    assert client.get(f"/accounts/verify-email/{token}/").status_code == 400


def test_a_link_for_an_address_since_changed_is_refused(client: Client, unverified: User) -> None:
    link = services.email_verification_link(unverified).split("testserver")[-1]
    link = link[link.index("/accounts/") :]
    unverified.email = "another@example.org"
    unverified.save()
    assert client.get(link).status_code == 400
    unverified.refresh_from_db()
    assert unverified.verified_email == ""


def test_an_old_link_has_expired(
    client: Client, unverified: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = services.email_verification_link(unverified)
    link = link[link.index("/accounts/") :]
    later = time.time() + (settings.EMAIL_VERIFICATION_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(link, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "has expired" in response.content.decode()


def test_my_living_lab_asks_for_verification_and_sends_the_link_again_but_not_in_a_loop(
    client: Client, unverified: User, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(unverified)
    page = client.get("/me/", headers={"accept-language": "en"}).content.decode()
    assert "is not confirmed yet" in page
    assert 'action="/accounts/verify-email/send/"' in page
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sent = client.post("/accounts/verify-email/send/")
        again = client.post(
            "/accounts/verify-email/send/", follow=True, headers={"accept-language": "en"}
        )
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    assert "sent moments ago" in again.content.decode()
    client.get(_link_in_mail())
    unverified.refresh_from_db()
    assert unverified.has_verified_email
    assert "is not confirmed yet" not in client.get("/me/").content.decode()


def test_the_resend_waits_a_setting(
    client: Client,
    unverified: User,
    settings: Settings,
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.EMAIL_VERIFICATION_RESEND_SECONDS = 0
    client.force_login(unverified)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post("/accounts/verify-email/send/")
        client.post("/accounts/verify-email/send/")
    assert len(mail.outbox) == 2


def test_only_a_logged_in_person_can_ask_for_a_link(client: Client) -> None:
    response = client.post("/accounts/verify-email/send/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert mail.outbox == []
