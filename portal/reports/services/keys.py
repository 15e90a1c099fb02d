"""Open311 keys of partner apps: issued once in clear, kept as a hash, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from portal.reports.models import Open311Key

PREFIX_LENGTH = 8


def _hash(raw: str) -> str:
    # The key is 256 random bits, so a fast hash is enough: there is nothing to guess from it.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, name: str) -> tuple[Open311Key, str]:
    """Issue a key for the partner app `name`; returns the row and the key, shown only now."""
    raw = secrets.token_urlsafe(32)
    key = Open311Key.objects.create(name=name, prefix=raw[:PREFIX_LENGTH], key_hash=_hash(raw))
    return key, raw


@transaction.atomic
def open311_key_revoke(*, key: Open311Key) -> None:
    """Stop the key working from now on; reports it filed stay."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def open311_key_check(raw: str) -> Open311Key | None:
    """The live key whose hash matches `raw`, or None."""
    if len(raw) < PREFIX_LENGTH:
        return None
    digest = _hash(raw)
    for key in Open311Key.objects.filter(prefix=raw[:PREFIX_LENGTH], revoked_at__isnull=True):
        if hmac.compare_digest(key.key_hash, digest):
            return key
    return None
