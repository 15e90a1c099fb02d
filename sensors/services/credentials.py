"""Device credentials: issuing, revoking and checking the tokens devices send readings with."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sensors.errors import CredentialError, SensorError
from sensors.models import Device, DeviceCredential

# Writing `last_used_at` on every request would turn each read of a credential into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_credential_issue(*, device: Device, label: str = "") -> tuple[DeviceCredential, str]:
    """A new credential for `device`, and its token, which is not kept and cannot be shown again.

    Earlier credentials stay valid until revoked, so a device can be moved to a new token without
    a gap. `label` says who the token is for.
    """
    token = secrets.token_urlsafe(32)
    credential = DeviceCredential.objects.create(
        device=device, token_hash=token_hash(token), prefix=token[:8], label=label
    )
    return credential, token


@transaction.atomic
def device_credentials_revoke(*, credentials: Iterable[DeviceCredential]) -> int:
    """Revoke the credentials; already revoked ones keep their original time."""
    ids = [credential.pk for credential in credentials]
    return DeviceCredential.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def device_credential_check(*, token: str, now: dt.datetime | None = None) -> DeviceCredential:
    """The live credential for `token`, with its device; raises `CredentialError`."""
    now = now or timezone.now()
    if not token:
        raise CredentialError(SensorError.MISSING_TOKEN, _("No device token was given."))
    credential = (
        DeviceCredential.objects.select_related("device")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if credential is None:
        raise CredentialError(SensorError.INVALID_TOKEN, _("The device token is not valid."))
    if credential.revoked_at is not None:
        raise CredentialError(SensorError.REVOKED_TOKEN, _("The device token has been revoked."))
    if credential.device.status == Device.Status.RETIRED:
        raise CredentialError(SensorError.DEVICE_RETIRED, _("The device has been retired."))
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_PRECISION:
        DeviceCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
    return credential
