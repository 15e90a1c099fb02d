"""MQTT ingest: devices publish batches to `devices/<device-id>/readings`, QoS 1.

How the token travels: inside the message, as an envelope
`{"token": "<device token>", "readings": [ ... ]}` (`"readings"` may also be one reading alone).
The broker only carries messages; this process checks the token against its hash exactly as the
HTTP endpoint does, and the device id in the topic must be the token's device. In production the
broker should also restrict with ACLs who may publish on a device's topic; that is defence in
depth, the token check here does not rely on it.

Whatever is rejected (a bad token, a malformed message, single readings) is reported on
`devices/<device-id>/errors` in the same shapes as the HTTP answer: `{"error": {...}}` for the
message as a whole, `{"accepted": n, "rejected": [...]}` for single readings. A message refused
by a limit (`sensors.services.limits`: the device's readings a minute, or too many invalid
tokens on its topic, which stands for the address the broker does not show) is reported with
`"retry_after"` in its error, the seconds after which sending again may succeed, and
acknowledged like any message that was answered.

Group commit: the network thread (`sensors.mqtt_wire`) only queues what arrives; one storing
thread takes every message waiting (up to `MAX_GROUP`), stores them all in one transaction
(`sensors.services.groups.sends_commit`: readings, rollups, alerts) and then acknowledges each
of them to the broker. Messages that arrive meanwhile wait for the next transaction, so the
groups grow with the load and a commit is shared by as many messages as arrived during the last.

Nothing the broker delivered is lost: the subscriber has a fixed client id and a persistent
session (clean session off), so the broker keeps QoS 1 messages while it is away, and a message
is acknowledged only after its transaction committed. A process killed at any moment leaves its
unacknowledged messages with the broker, which delivers them again when the same client id
reconnects; storing them twice changes nothing (readings are unique per device, metric and time,
and rollups count only the rows that went in; the device is told `duplicate`). If the database is
away (`portal.rest.DATABASE_AWAY`), the group is tried again for about 15 seconds; then it stays
unacknowledged and the process stops, so that the broker delivers it again to the next run, and
each device is told so (503 `unavailable`, with `retry_after`). A message that fails for any
other reason is reported to its device and acknowledged, so that it cannot block the others.

Several processes share the load through an MQTT shared subscription
(`$share/<group>/devices/+/readings`): the broker hands each message to one member of the group.
The session reconnects by itself when the broker restarts, and the subscription is renewed on
every connect.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.translation import gettext as _

from portal.rest import DATABASE_AWAY, error_body
from portal.storable import MESSAGE as UNSTORABLE_MESSAGE
from portal.storable import find_unstorable, json_storable, printable_name
from sensors.errors import SensorError
from sensors.ingest import BodyError, loads, readings_from
from sensors.mqtt_wire import Message, Session
from sensors.services.groups import Answer, Send, sends_commit

logger = logging.getLogger(__name__)

READINGS_TOPICS = "devices/+/readings"
SHARE_GROUP = "livinglab-ingest"
QOS = 1
KEEPALIVE = 30
RETRY_WAITS = (0.5, 1, 2, 4, 8)
# Messages stored in one transaction at most. The broker hands a subscriber at most its
# `max_inflight_messages` unacknowledged messages (deploy/mosquitto.conf), which bounds groups too.
# With two ingest processes on two cores, groups of 500 stored more messages a second than groups
# of 1,000 or 250 (`benchmarks/ingest`).
MAX_GROUP = 500


def shared_topic(group: str) -> str:
    return f"$share/{group}/{READINGS_TOPICS}"


def error_topic(device_ref: str) -> str:
    return f"devices/{device_ref}/errors"


def _error(status: int, code: SensorError, message: str) -> dict[str, Any]:
    return error_body(status=status, code=code, message=message)


def _device_ref(topic: str) -> str:
    """The device id of a readings topic, `devices/<id>/readings`, as the device wrote it."""
    return topic.split("/")[1]


def unavailable_report() -> dict[str, Any]:
    """What devices are told when the database is away: their messages wait with the broker."""
    report = _error(
        503,
        SensorError.UNAVAILABLE,
        _(
            "The readings could not be stored just now. The message is kept and will be stored "
            "when the database is back; there is no need to send it again."
        ),
    )
    # As the Retry-After header over HTTP: when the portal expects to take messages again.
    report["error"]["retry_after"] = settings.DATABASE_RETRY_AFTER
    return report


def _read(topic: str, payload: bytes | bytearray) -> Send | dict[str, Any]:
    """What a message carries, or the report that refuses it without looking at the database."""
    device_ref = _device_ref(topic)
    if len(payload) > settings.SENSORS_MAX_BODY_BYTES:
        return _error(
            413,
            SensorError.BODY_TOO_LARGE,
            _("The body is larger than %(limit)d bytes.")
            % {"limit": settings.SENSORS_MAX_BODY_BYTES},
        )
    try:
        envelope = loads(payload)
    except BodyError as error:
        return _error(error.status, error.code, error.message)
    storable = json_storable(payload)
    if isinstance(envelope, dict) and not storable:
        # The readings are judged one by one, such text among them too (`check_readings`).
        unstorable = find_unstorable(
            {key: each for key, each in envelope.items() if key != "readings"}
        )
        if unstorable is not None:
            return _error(
                400,
                SensorError.UNSTORABLE_TEXT,
                f"{printable_name(unstorable)}: {UNSTORABLE_MESSAGE}",
            )
    if not isinstance(envelope, dict) or not isinstance(envelope.get("token"), str):
        return _error(
            401,
            SensorError.MISSING_TOKEN,
            _('A message must be {"token": "<device token>", "readings": [...]}.'),
        )
    # The broker shows no client addresses: invalid tokens are counted per topic instead.
    origin = f"mqtt:{device_ref}"
    try:
        items = readings_from(envelope.get("readings"), max_readings=settings.SENSORS_MAX_BATCH)
    except BodyError as error:
        return Send(
            token=envelope["token"],
            items=[],
            refused=error,
            topic_device=device_ref,
            origin=origin,
        )
    return Send(
        token=envelope["token"],
        items=items,
        topic_device=device_ref,
        origin=origin,
        storable=storable,
    )


def _report(answer: Answer) -> dict[str, Any] | None:
    if answer.status != 202:
        if answer.retry_after is None:
            return answer.body
        # What the Retry-After header says over HTTP: when sending again may succeed.
        return {"error": {**answer.body["error"], "retry_after": answer.retry_after}}
    return answer.body if answer.body["rejected"] else None


Report = dict[str, Any] | None


def handle_messages(messages: Sequence[tuple[str, bytes | bytearray]]) -> list[Report]:
    """Store the readings of these messages together; returns each one's report, or None.

    The report is what to publish on the message's errors topic. Raises only when nothing could
    be stored, in which case none of the messages may be acknowledged.
    """
    reports: list[dict[str, Any] | None] = []
    sends: list[Send] = []
    places: list[int] = []
    for topic, payload in messages:
        read = _read(topic, payload)
        if isinstance(read, Send):
            places.append(len(reports))
            sends.append(read)
            reports.append(None)
        else:
            reports.append(read)
    if sends:
        for place, answer in zip(places, sends_commit(sends=sends), strict=True):
            reports[place] = _report(answer)
    return reports


def handle_message(topic: str, payload: bytes | bytearray) -> dict[str, Any] | None:
    """`handle_messages` for one message."""
    return handle_messages([(topic, payload)])[0]


class MqttIngest:
    """A subscriber that stores what it receives in groups.

    `run` blocks; `start`/`stop` run it in threads. `group` names the shared subscription that
    several processes join to share the load.
    """

    def __init__(self, *, url: str, client_id: str, group: str = SHARE_GROUP) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        self.client_id = client_id
        self.group = group
        self.topic = shared_topic(group)
        self.failed = threading.Event()
        self._stopping = threading.Event()
        self._inbox: collections.deque[Message] = collections.deque()
        self._arrived = threading.Condition()
        self._storer: threading.Thread | None = None
        self.session = Session(
            host=self.host,
            port=self.port,
            client_id=client_id,
            topic=self.topic,
            on_messages=self._on_messages,
            # A session kept from a version that subscribed to the plain topic would otherwise
            # get every message twice, once through each subscription.
            unsubscribe=[READINGS_TOPICS],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "mqtts",
            keepalive=KEEPALIVE,
        )
        self.subscribed = self.session.subscribed

    def _on_messages(self, messages: list[Message]) -> None:
        # The network thread only queues; the storing thread does the rest, so that the network
        # keeps being read (and keep-alives answered) while a group commits.
        with self._arrived:
            self._inbox.extend(messages)
            self._arrived.notify()

    def _store(self, messages: list[Message]) -> list[dict[str, Any] | None]:
        """`handle_messages`, tried again while the database is briefly unavailable.

        The waits add up to well under the keep-alive, so the broker does not drop us meanwhile.
        """
        batch = [(message.topic, message.payload) for message in messages]
        for wait in RETRY_WAITS:
            # The database may have gone away since the last group, as in a web request.
            close_old_connections()
            try:
                return handle_messages(batch)
            except DATABASE_AWAY:
                logger.warning("Database unavailable; retrying in %s s", wait, exc_info=True)
                connections.close_all()
                time.sleep(wait)
        close_old_connections()
        return handle_messages(batch)

    def process(self, session: Session, messages: list[Message]) -> bool:
        """Store a group, report what was refused, then acknowledge it; False if it could not be
        stored (it is then left unacknowledged and the subscriber stops)."""
        try:
            reports = self._store(messages)
        except DATABASE_AWAY:
            # Only a database that is away: any other database error is a fault, which the
            # messages would hit again on every delivery (below).
            logger.exception("Could not store %d messages; stopping unacknowledged", len(messages))
            # The messages stay with the broker, which delivers them again when an ingest is
            # back: the devices are told so, and need not send them again.
            away = orjson.dumps(unavailable_report())
            for message in messages:
                session.publish(error_topic(_device_ref(message.topic)), away, qos=QOS)
            self.failed.set()
            session.disconnect()
            return False
        except Exception:
            if len(messages) > 1:
                # One message that trips a bug must not take the others down with it.
                return all(self.process(session, [message]) for message in messages)
            # A message that fails for any other reason would fail again on every redelivery
            # and hold up every device behind it: tell its device, log it and let it go.
            logger.exception(
                "Could not handle a message from %s", printable_name(messages[0].topic)
            )
            reports = [
                _error(
                    500,
                    SensorError.INTERNAL_ERROR,
                    _("The message could not be handled; it was not stored."),
                )
            ]
        for message, report in zip(messages, reports, strict=True):
            if report is not None:
                session.publish(
                    error_topic(_device_ref(message.topic)), orjson.dumps(report), qos=QOS
                )
            session.ack(message.mid, message.qos, message.connection)
        # The whole group's acknowledgements and reports go out in one write.
        session.flush()
        return True

    def _storing(self) -> None:
        try:
            while not self._stopping.is_set():
                with self._arrived:
                    while not self._inbox and not self._stopping.is_set():
                        self._arrived.wait(0.5)
                    group = [self._inbox.popleft() for _ in range(min(len(self._inbox), MAX_GROUP))]
                # What came on a connection that has dropped since comes again on the new one.
                current = self.session.connection
                group = [message for message in group if message.connection == current]
                if group and not self.process(self.session, group):
                    return
        finally:
            connections.close_all()

    def _start_storing(self) -> None:
        self._stopping.clear()
        self._storer = threading.Thread(target=self._storing, name="mqtt-store", daemon=True)
        self._storer.start()

    def _stop_storing(self) -> None:
        self._stopping.set()
        with self._arrived:
            self._arrived.notify()
        if self._storer is not None:
            self._storer.join(30)

    def run(self) -> None:
        """Run until the storing thread stops (the database could not be written) or Ctrl+C."""
        self.start()
        try:
            while self._storer is not None and self._storer.is_alive():
                self._storer.join(0.5)
        finally:
            self.stop()

    def start(self) -> None:
        self._start_storing()
        self.session.start()

    def stop(self) -> None:
        self._stop_storing()
        self.session.stop()
