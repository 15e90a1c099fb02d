"""Group commit: what many devices sent, stored, rolled up and checked in one transaction.

The MQTT subscriber (`sensors.mqtt`) and the HTTP endpoint served over ASGI
(`sensors.ingest_asgi`) gather the messages and requests that arrive while their previous
transaction commits, and hand them here together. One transaction then checks every token (one
query for all of them), checks every reading, locks the devices, stores the readings with their
rollups, moves the devices' last-seen times and opens or closes alerts; the senders are answered
only after it commits. What repeats a reading received before is refused as a duplicate: when
the insert counts fewer new readings than were sent, the group is rolled back to a savepoint,
its repeats are found (one query for all of them) and it is stored again
(`_stored_unless_repeated`). At thousands of small sends a second this costs a few transactions
a second instead of thousands, and no acknowledged reading waits anywhere but in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.limits import LimitReached
from portal.rest import error_body
from sensors.errors import SensorError
from sensors.ingest import BodyError, CheckedBatch, Key, MetricBounds, check_readings
from sensors.models import Device, DeviceCredential, IngestBatch
from sensors.services.accepting import metric_bounds
from sensors.services.credentials import LAST_USED_PRECISION, token_hash
from sensors.services.limits import GroupLimits
from sensors.services.processing import Received, devices_lock, readings_process
from sensors.services.storage import readings_stored


@dataclass(frozen=True)
class Send:
    """One HTTP request or MQTT message, as far as it could be read before the database.

    `items` are its readings, unless `refused` says why its body cannot be used. `topic_device`
    is the device id an MQTT message was published under, which must be the token's device.
    `language` is the language of the answer's messages (the active one if None). `origin` is
    where invalid tokens are counted (`limits`): the client's address, or the MQTT topic.
    `storable` is true when the body's bytes showed that all its text can be stored
    (`portal.storable.json_storable`), so that its readings need not be searched for such text.
    """

    token: str
    items: list[Any]
    refused: BodyError | None = None
    topic_device: str | None = None
    language: str | None = None
    origin: str | None = None
    storable: bool = False


@dataclass(frozen=True)
class Answer:
    """What the sender is told: an HTTP status and body (202 with the accepted count).

    `retry_after` is the number of seconds after which sending again may succeed (a 429 or a
    503): the `Retry-After` header over HTTP, `retry_after` in an MQTT error report.
    """

    status: int
    body: dict[str, Any]
    retry_after: int | None = None

    @property
    def accepted(self) -> int:
        return int(self.body.get("accepted", 0))


def _refusal(status: int, code: SensorError, message: str) -> Answer:
    return Answer(status, error_body(status=status, code=code, message=message))


def _limited(refusal: LimitReached) -> Answer:
    body = error_body(status=429, code=str(refusal.code), message=" ".join(refusal.messages))
    return Answer(429, body, retry_after=refusal.retry_after)


@dataclass(frozen=True)
class _Credential:
    id: int
    revoked: bool
    last_used_at: dt.datetime | None
    device_id: int
    device_name: str
    device_status: str


def _credentials(tokens: set[str]) -> dict[str, _Credential]:
    """The credentials of these tokens, by token, in one query."""
    by_hash = {token_hash(token): token for token in tokens if token}
    return {
        by_hash[digest]: _Credential(pk, revoked_at is not None, used, device_id, name, status)
        for pk, digest, revoked_at, used, device_id, name, status in (
            DeviceCredential.objects.filter(token_hash__in_array=list(by_hash)).values_list(
                "id",
                "token_hash",
                "revoked_at",
                "last_used_at",
                "device_id",
                "device__name",
                "device__status",
            )
        )
    }


def _credential_refusal(credential: _Credential | None) -> Answer | None:
    """The same refusals, in the same order, as `credentials.device_credential_check`."""
    if credential is None:
        return _refusal(401, SensorError.INVALID_TOKEN, _("The device token is not valid."))
    if credential.revoked:
        return _refusal(401, SensorError.REVOKED_TOKEN, _("The device token has been revoked."))
    if credential.device_status == Device.Status.RETIRED:
        return _refusal(401, SensorError.DEVICE_RETIRED, _("The device has been retired."))
    return None


@dataclass
class _Judging:
    """What one group's transaction needs to judge each send."""

    now: dt.datetime
    credentials: dict[str, _Credential]
    metrics: dict[str, MetricBounds]
    max_age: dt.timedelta
    limits: GroupLimits
    checked: list[_Checked] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    used: set[int] = field(default_factory=set)


def _judge(send: Send, judging: _Judging) -> Answer:
    """The answer to one send; accepted readings go to `judging.received`."""
    if not send.token:
        return _refusal(401, SensorError.MISSING_TOKEN, _("No device token was given."))
    blocked = judging.limits.blocked(send.origin)
    if blocked is not None:
        return _limited(blocked)
    credential = judging.credentials.get(send.token)
    refusal = _credential_refusal(credential)
    if refusal is not None:
        if credential is None:
            judging.limits.token_failed(send.origin)
        return refusal
    assert credential is not None  # noqa: S101 - a missing credential is refused above.
    used = credential.last_used_at
    if used is None or judging.now - used > LAST_USED_PRECISION:
        judging.used.add(credential.id)
    if send.topic_device is not None and send.topic_device != str(credential.device_id):
        return _refusal(
            403,
            SensorError.WRONG_DEVICE,
            _("A device may only publish on its own topic, devices/<id>/."),
        )
    if send.refused is not None:
        return _refusal(send.refused.status, send.refused.code, send.refused.message)
    limited = judging.limits.take(credential.device_id, len(send.items))
    if limited is not None:
        return _limited(limited)
    checked = check_readings(
        send.items,
        device_id=credential.device_id,
        device_name=credential.device_name,
        metrics=judging.metrics,
        now=judging.now,
        max_age=judging.max_age,
        storable=send.storable,
    )
    answer = Answer(202, {"accepted": checked.accepted, "rejected": checked.rejected})
    if checked.taken:
        # What repeats a reading received before is known only under the devices' locks.
        judging.checked.append(_Checked(credential.device_id, checked, answer, send))
    return answer


@dataclass(frozen=True)
class _Checked:
    """A send's readings that passed every check, and its answer, until repeats are refused."""

    device_id: int
    batch: CheckedBatch
    answer: Answer
    send: Send


def _repeats_refuse(judging: _Judging) -> None:
    """Refuse what repeats a stored reading, or one of an earlier send in the group, as a
    `duplicate`; hand the rest to `judging.received`. The devices' locks must be held.

    One query reads what is stored for every reading of the group.
    """
    keys: dict[int, list[Key]] = {}
    for checked in judging.checked:
        keys.setdefault(checked.device_id, []).extend(checked.batch.keys)
    stored = readings_stored(keys=keys)
    for checked in judging.checked:
        batch = checked.batch
        received = stored[checked.device_id]
        if batch.repeats(received) and checked.send.language is not None:
            # The reasons are in the sender's language; the rest needs none.
            with translation.override(checked.send.language):
                batch.repeats_refuse(received)
        else:
            batch.repeats_refuse(received)
        checked.answer.body["accepted"] = batch.accepted
        if batch.taken:
            judging.received.append(_received(checked, judging.now))


@transaction.atomic
def sends_commit(*, sends: Sequence[Send], now: dt.datetime | None = None) -> list[Answer]:
    """Check and store what `sends` carry, together; returns one answer per send, in order.

    Every send is judged as the HTTP endpoint judges a request: its origin's invalid tokens
    (429), the token (401), then the MQTT topic (403), then the body (400, 413), then the
    device's readings this minute (429), then each reading (see `limits`). The caller must tell
    each sender its answer only after this returns, since the readings are committed by then
    (unless the caller holds an outer transaction). A `DatabaseError` means nothing was stored.
    """
    now = now or timezone.now()
    # Origins that sent too many invalid tokens have theirs refused without a lookup.
    limits = GroupLimits(origins=(send.origin for send in sends), now=now)
    credentials = _credentials(
        {send.token for send in sends if limits.blocked(send.origin) is None}
    )
    limits.lock(
        {found.device_id for found in credentials.values() if _credential_refusal(found) is None}
    )
    judging = _Judging(
        now=now,
        credentials=credentials,
        metrics=metric_bounds(),
        max_age=dt.timedelta(seconds=settings.SENSORS_MAX_READING_AGE),
        limits=limits,
    )
    answers = []
    for send in sends:
        if send.language is None:
            answers.append(_judge(send, judging))
        else:
            with translation.override(send.language):
                answers.append(_judge(send, judging))
    if judging.used:
        DeviceCredential.objects.filter(pk__in_array=judging.used).update(last_used_at=judging.now)
    if judging.checked:
        if not limits.locked:
            devices_lock(checked.device_id for checked in judging.checked)
        if not _stored_unless_repeated(judging):
            _repeats_refuse(judging)
            _process(judging)
    else:
        _process(judging)
    limits.failures_save()
    return answers


def _received(checked: _Checked, now: dt.datetime) -> Received:
    source = (
        IngestBatch.Source.HTTP if checked.send.topic_device is None else IngestBatch.Source.MQTT
    )
    batch = checked.batch
    return Received(checked.device_id, now, batch.rows, batch.corrections, source)


def _process(judging: _Judging) -> int:
    """Store, roll up and check what `judging.received` holds; how many readings were new."""
    counts = judging.limits.windows_save(seen={batch.device_id for batch in judging.received})
    if not judging.received:
        return 0
    return readings_process(received=judging.received, now=judging.now, counts=counts)


class _Repeated(Exception):
    """The group repeats a reading: what was stored of it is undone."""


def _stored_unless_repeated(judging: _Judging) -> bool:
    """Store the group as judged, on the bet that nothing in it repeats a reading; True if so.

    Repeats are rare once devices get their acknowledgements, and looking for them costs a probe
    of every reading. The insert counts the readings that were new: if that is all of them,
    nothing repeated and the answers stand. Otherwise everything since the savepoint is undone
    (the live feeds' pushes with it) and the caller refuses the repeats before storing again.
    Corrections, rarer still, always take the caller's way.
    """
    if any(checked.batch.corrections for checked in judging.checked):
        return False
    judging.received = [_received(checked, judging.now) for checked in judging.checked]
    sent = sum(len(batch.rows) for batch in judging.received)
    try:
        with transaction.atomic():
            if _process(judging) != sent:
                raise _Repeated
    except _Repeated:
        judging.received = []
        return False
    return True
