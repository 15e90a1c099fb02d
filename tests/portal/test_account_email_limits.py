"""Password-reset and verification e-mails, from the side of someone who would send too many.

Each kind is limited per account (for a reset, the address typed in, account or not) and per
client address; past either, the portal sends nothing and says why, with how long to wait.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from pytest_django import Settings

from portal.models import User
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
RESEND = "/accounts/verify-email/send/"


@pytest.fixture(autouse=True)
def _limits(settings: Settings) -> None:
    settings.ACCOUNT_EMAILS_PER_ACCOUNT = 2
    settings.ACCOUNT_EMAILS_PER_ADDRESS = 3
    settings.ACCOUNT_EMAIL_WINDOW_MINUTES = 60
    # The resend's own pause between two mails is not what these tests are about.
    settings.EMAIL_VERIFICATION_RESEND_SECONDS = 0


def test_reset_mails_for_one_account_stop_at_the_limit_with_a_429(
    client: Client, citizen: User
) -> None:
    first = client.post(RESET, {"email": "citizen@example.org"})
    # The same account, however the address is written, from anywhere.
    second = client.post(RESET, {"email": " CITIZEN@example.org"}, REMOTE_ADDR="198.51.100.9")
    refused = client.post(
        RESET, {"email": "citizen@example.org"}, headers={"accept-language": "en"}
    )

    assert first.status_code == second.status_code == 302
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "Too many password-reset e-mails were asked for this account" in page
    assert "at most 2 in 60 minutes" in page
    assert len(mail.outbox) == 2


def test_an_address_without_an_account_is_limited_alike(client: Client) -> None:
    """Otherwise the refusal would tell who has an account."""
    answers = [client.post(RESET, {"email": "nobody@example.org"}) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert mail.outbox == []


def test_reset_mails_from_one_client_address_stop_at_the_limit(
    client: Client, settings: Settings
) -> None:
    settings.ACCOUNT_EMAILS_PER_ACCOUNT = 0
    for n in range(3):
        UserFactory.create(username=f"neighbour{n}")
    answers = [
        client.post(RESET, {"email": f"neighbour{n}@example.org"}, REMOTE_ADDR="203.0.113.7")
        for n in range(3)
    ]
    refused = client.post(
        RESET,
        {"email": "someone@example.org"},
        headers={"accept-language": "en"},
        REMOTE_ADDR="203.0.113.7",
    )
    elsewhere = client.post(RESET, {"email": "someone@example.org"}, REMOTE_ADDR="192.0.2.1")

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert refused.status_code == 429
    assert "asked from your network address" in refused.content.decode()
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 3


def test_verification_mails_for_one_account_stop_at_the_limit(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    person = UserFactory.create(username="newcomer", verified_email="")
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(RESEND)
        client.post(RESEND)
        refused = client.post(RESEND, follow=True, headers={"accept-language": "en"})

    assert len(mail.outbox) == 2
    assert "Too many verification e-mails were asked for this account" in (refused.content.decode())


def test_verification_mails_from_one_client_address_stop_at_the_limit(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    people = [UserFactory.create(username=f"newcomer{n}", verified_email="") for n in range(4)]
    pages = []
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        for person in people:
            client.force_login(person)
            pages.append(
                client.post(
                    RESEND,
                    follow=True,
                    headers={"accept-language": "en"},
                    REMOTE_ADDR="203.0.113.7",
                ).content.decode()
            )

    assert len(mail.outbox) == 3
    assert "asked from your network address" in pages[-1]
    assert [message.to for message in mail.outbox] == [[person.email] for person in people[:3]]
