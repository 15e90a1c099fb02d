"""Writes of the sensor pipeline, by concern; the public names are re-exported here.

- `credentials`: issuing, revoking and checking device tokens;
- `limits`: readings a device may send in a minute, invalid tokens an origin may send;
- `groups`: group commit, many devices' sends judged and stored in one transaction;
- `accepting`: checking a device's batch and keeping it durably for the workers;
- `storage`: storing readings with their rollups (one statement on PostgreSQL), or
  `bulk_create` on SQLite; what is stored for a group's readings (repeats), and corrections;
- `rollups`: minute and hour rollups recomputed from the raw rows;
- `alerts`: alert rules on the newest readings, and silent devices;
- `processing`: storage, rollups and alerts tied together, and the workers' transaction.

`processing` tells how a reading travels, and why nothing acknowledged is lost.
"""

from __future__ import annotations

from sensors.errors import CredentialError
from sensors.services.accepting import ingest_batch_accept, ingest_batches_requeue, metric_bounds
from sensors.services.alerts import alerts_evaluate, devices_check_silent
from sensors.services.credentials import (
    device_credential_check,
    device_credential_issue,
    device_credentials_revoke,
    token_hash,
)
from sensors.services.groups import sends_commit
from sensors.services.processing import ingest_batch_process
from sensors.services.rollups import rollups_refresh, rollups_refresh_spans
from sensors.services.storage import corrections_apply, readings_store, readings_stored

__all__ = [
    "CredentialError",
    "alerts_evaluate",
    "corrections_apply",
    "device_credential_check",
    "device_credential_issue",
    "device_credentials_revoke",
    "devices_check_silent",
    "ingest_batch_accept",
    "ingest_batch_process",
    "ingest_batches_requeue",
    "metric_bounds",
    "readings_store",
    "readings_stored",
    "rollups_refresh",
    "rollups_refresh_spans",
    "sends_commit",
    "token_hash",
]
