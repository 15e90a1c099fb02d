"""The admin issues tokens once, revokes them and lists alerts; outsiders see none of it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from portal.models import User
from sensors.models import Alert, Device, DeviceCredential
from sensors.services import CredentialError, device_credential_check, device_credential_issue

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/sensors/device/"


def test_issuing_a_token_shows_it_once_and_it_works(
    client: Client, manager: User, public_device: Device
) -> None:
    client.force_login(manager)

    response = client.post(
        CHANGELIST,
        {"action": "issue_token", "_selected_action": [public_device.pk]},
        follow=True,
    )

    match = re.search(r"<code>([A-Za-z0-9_\-]+)</code>", response.content.decode())
    assert match is not None
    assert device_credential_check(token=match.group(1)).device == public_device
    again = client.get(CHANGELIST).content.decode()
    assert match.group(1) not in again


def test_revoking_a_devices_tokens_locks_it_out(
    client: Client, manager: User, public_device: Device
) -> None:
    _credential, token = device_credential_issue(device=public_device)
    client.force_login(manager)

    client.post(CHANGELIST, {"action": "revoke_tokens", "_selected_action": [public_device.pk]})

    with pytest.raises(CredentialError):
        device_credential_check(token=token)
    assert DeviceCredential.objects.get().revoked_at is not None


def test_an_outsider_cannot_issue_tokens(
    client: Client, outsider: User, public_device: Device
) -> None:
    client.force_login(outsider)

    response = client.post(
        CHANGELIST, {"action": "issue_token", "_selected_action": [public_device.pk]}
    )

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not DeviceCredential.objects.exists()


def test_managers_see_open_alerts_filtered(
    client: Client, manager: User, public_device: Device
) -> None:
    now = timezone.now()
    for rule, closed in [(Alert.Rule.HEAT_WAVE, None), (Alert.Rule.PM10_BAD, now)]:
        Alert.objects.create(
            device=public_device,
            rule=rule,
            level=Alert.Level.WARNING,
            message="m",
            opened_at=now,
            closed_at=closed,
        )
    client.force_login(manager)

    page = client.get("/admin/sensors/alert/", {"state": "open"}).content.decode()

    assert page.count('class="field-is_open"') == 1
