"""Device credentials: shown once, kept only as a hash, revocable."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sensors.models import Device, DeviceCredential
from sensors.services import (
    CredentialError,
    device_credential_check,
    device_credential_issue,
    device_credentials_revoke,
)

pytestmark = pytest.mark.django_db


def test_a_token_is_kept_only_as_its_hash(public_device: Device) -> None:
    credential, token = device_credential_issue(device=public_device)

    assert len(token) >= 40
    assert credential.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not DeviceCredential.objects.filter(token_hash__contains=token).exists()
    assert device_credential_check(token=token).device == public_device


def test_the_command_prints_a_new_working_token(public_device: Device) -> None:
    out = StringIO()

    call_command("device_token", str(public_device.pk), stdout=out)

    token = out.getvalue().strip()
    assert device_credential_check(token=token).device == public_device


def test_the_command_refuses_an_unknown_device() -> None:
    with pytest.raises(CommandError):
        call_command("device_token", "999999", stdout=StringIO())


def test_it_rejects_a_revoked_token(public_device: Device) -> None:
    credential, token = device_credential_issue(device=public_device)
    _other, kept = device_credential_issue(device=public_device)

    device_credentials_revoke(credentials=[credential])

    with pytest.raises(CredentialError) as error:
        device_credential_check(token=token)
    assert error.value.code == "revoked_token"
    assert device_credential_check(token=kept).device == public_device


def test_it_rejects_the_token_of_a_retired_device(public_device: Device) -> None:
    _credential, token = device_credential_issue(device=public_device)
    Device.objects.filter(pk=public_device.pk).update(status=Device.Status.RETIRED)

    with pytest.raises(CredentialError) as error:
        device_credential_check(token=token)
    assert error.value.code == "device_retired"


def test_using_a_token_records_when_it_was_last_used(public_device: Device) -> None:
    credential, token = device_credential_issue(device=public_device)

    device_credential_check(token=token)

    credential.refresh_from_db()
    assert credential.last_used_at is not None
