"""MQTT ingest: devices publish batches to `devices/<device-id>/readings`, QoS 1.

How the token travels: inside the message, as an envelope
`{"token": "<device token>", "readings": [ ... ]}` (`"readings"` may also be one reading alone).
The broker only carries messages; this process checks the token against its hash exactly as the
HTTP endpoint does, and the device id in the topic must be the token's device. Readings then take
the same path as over HTTP (`sensors.services.ingest_batch_accept`). In production the broker
should also restrict with ACLs who may publish on a device's topic; that is defence in depth, the
token check here does not rely on it.

Whatever is rejected (a bad token, a malformed message, single readings) is reported on
`devices/<device-id>/errors` in the same shapes as the HTTP answer: `{"error": {...}}` for the
message as a whole, `{"accepted": n, "rejected": [...]}` for single readings.

Nothing the broker delivered is lost: the subscriber has a fixed client id and a persistent
session (clean session off), so the broker keeps QoS 1 messages while it is away, and each
message is acknowledged by hand only after its batch is committed. If the database cannot be
written, the message is tried again for about 15 seconds; then it stays unacknowledged and the
process stops, so that the broker delivers it again to the next run. A message that fails for any
other reason is reported to its device and acknowledged, so that it cannot block the others.
Paho reconnects by itself when the broker restarts, and the subscription is renewed on every
connect.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils.translation import gettext as _
from paho.mqtt.enums import CallbackAPIVersion

from portal.rest import error_body
from sensors import services
from sensors.ingest import BodyError, readings_from
from sensors.models import IngestBatch

logger = logging.getLogger(__name__)

READINGS_TOPICS = "devices/+/readings"
QOS = 1
KEEPALIVE = 30
RETRY_WAITS = (0.5, 1, 2, 4, 8)


def error_topic(device_ref: str) -> str:
    return f"devices/{device_ref}/errors"


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return error_body(status=status, code=code, message=message)


def handle_message(topic: str, payload: bytes | bytearray) -> dict[str, Any] | None:
    """Accept the readings in one message; returns the report to publish on the errors topic.

    Raises only when the batch could not be stored, in which case it must not be acknowledged.
    """
    device_ref = topic.split("/")[1]
    if len(payload) > settings.SENSORS_MAX_BODY_BYTES:
        return _error(
            413,
            "body_too_large",
            _("The body is larger than %(limit)d bytes.")
            % {"limit": settings.SENSORS_MAX_BODY_BYTES},
        )
    try:
        envelope = json.loads(payload)
    except (ValueError, RecursionError):
        return _error(400, "malformed_json", _("The body is not valid JSON."))
    if not isinstance(envelope, dict) or not isinstance(envelope.get("token"), str):
        return _error(
            401,
            "missing_token",
            _('A message must be {"token": "<device token>", "readings": [...]}.'),
        )
    try:
        credential = services.device_credential_check(token=envelope["token"])
    except services.CredentialError as error:
        return _error(401, error.code, error.message)
    device = credential.device
    if device_ref != str(device.pk):
        return _error(
            403, "wrong_device", _("A device may only publish on its own topic, devices/<id>/.")
        )
    try:
        items = readings_from(envelope.get("readings"), max_readings=settings.SENSORS_MAX_BATCH)
    except BodyError as error:
        return _error(error.status, error.code, error.message)
    checked = services.ingest_batch_accept(
        device=device, items=items, source=IngestBatch.Source.MQTT
    )
    if checked.rejected:
        return {"accepted": checked.accepted, "rejected": checked.rejected}
    return None


class MqttIngest:
    """A subscriber that feeds `handle_message`; `run` blocks, `start`/`stop` run it in a thread."""

    def __init__(self, *, url: str, client_id: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        self.failed = threading.Event()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        if parts.username:
            self.client.username_pw_set(
                unquote(parts.username), unquote(parts.password) if parts.password else None
            )
        if parts.scheme == "mqtts":
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            logger.warning("MQTT broker refused the connection: %s", reason)
            return
        logger.info("Connected to the MQTT broker at %s:%s", self.host, self.port)
        client.subscribe(READINGS_TOPICS, qos=QOS)

    def _on_subscribe(self, client: mqtt.Client, *args: Any) -> None:
        self.subscribed.set()

    def _on_disconnect(self, client: mqtt.Client, *args: Any) -> None:
        self.subscribed.clear()
        # Messages are handled in paho's thread; its database connection goes with the session.
        connections.close_all()
        logger.warning("Disconnected from the MQTT broker")

    def _store(self, message: mqtt.MQTTMessage) -> dict[str, Any] | None:
        """`handle_message`, tried again while the database is briefly unavailable.

        The waits add up to well under the keep-alive, so the broker does not drop us meanwhile.
        """
        for wait in RETRY_WAITS:
            # The database may have gone away since the last message, as in a web request.
            close_old_connections()
            try:
                return handle_message(message.topic, message.payload)
            except DatabaseError:
                logger.warning("Database unavailable; retrying in %s s", wait, exc_info=True)
                connections.close_all()
                time.sleep(wait)
        close_old_connections()
        return handle_message(message.topic, message.payload)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            report = self._store(message)
        except DatabaseError:
            logger.exception(
                "Could not store a message from %s; stopping unacknowledged", message.topic
            )
            self.failed.set()
            client.disconnect()
            return
        except Exception:
            # A message that fails for any other reason would fail again on every redelivery
            # and hold up every device behind it: tell its device, log it and let it go.
            logger.exception("Could not handle a message from %s", message.topic)
            report = _error(
                500, "internal_error", _("The message could not be handled; it was not stored.")
            )
        if report is not None:
            client.publish(error_topic(message.topic.split("/")[1]), json.dumps(report), qos=QOS)
        client.ack(message.mid, message.qos)

    def run(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=KEEPALIVE)
        self.client.loop_forever(retry_first_connection=True)

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=KEEPALIVE)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
