"""The ingest's MQTT session: packets cut from what the socket holds, and acknowledgements that
go out only on the connection their messages came on."""

from __future__ import annotations

import os
import queue
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from sensors.mqtt_wire import (
    PUBACK,
    PUBLISH,
    Message,
    Session,
    WireError,
    packet,
    publish_message,
    split_packets,
    text,
)
from tests.conftest import requires_mqtt
from tests.sensors.brokers import forget_session, wait_for


def publish_packet(topic: str, payload: bytes, *, mid: int | None) -> bytes:
    if mid is None:
        return packet(PUBLISH, text(topic) + payload)
    return packet(PUBLISH | 0x02, text(topic) + mid.to_bytes(2, "big") + payload)


@pytest.mark.parametrize("size", [0, 127, 128, 16_383, 16_384, 2_097_152])
def test_a_packet_of_any_size_comes_back_whole(size: int) -> None:
    body = bytes(range(256)) * (size // 256) + bytes(size % 256)

    packets, used = split_packets(bytearray(packet(PUBLISH, body)))

    assert packets == [(PUBLISH, body)]
    assert used == len(packet(PUBLISH, body))


def test_a_packet_not_wholly_received_waits_for_the_next_read() -> None:
    first = publish_packet("devices/1/readings", b'{"a":1}', mid=1)
    second = publish_packet("devices/2/readings", b"x" * 300, mid=2)
    stream = first + second

    # Cut inside the second packet's remaining length (two bytes long), then inside its body.
    for cut in (len(first) + 1, len(first) + 2, len(stream) - 1):
        packets, used = split_packets(bytearray(stream[:cut]))
        assert [kind for kind, _body in packets] == [0x32]
        assert used == len(first)

    packets, used = split_packets(bytearray(stream))
    assert len(packets) == 2
    assert used == len(stream)


def test_a_remaining_length_past_four_bytes_is_refused() -> None:
    with pytest.raises(WireError):
        split_packets(bytearray([PUBLISH, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))


def test_a_publish_is_read_with_its_packet_id_at_qos_1_and_without_at_qos_0() -> None:
    [(first, body)], _used = split_packets(
        bytearray(publish_packet("devices/7/readings", b"[1]", mid=513))
    )
    assert publish_message(first, body, 3) == Message("devices/7/readings", b"[1]", 513, 1, 3)

    [(first, body)], _used = split_packets(
        bytearray(publish_packet("devices/7/readings", b"[1]", mid=None))
    )
    assert publish_message(first, body, 3) == Message("devices/7/readings", b"[1]", 0, 0, 3)


def session() -> Session:
    return Session(
        host="127.0.0.1",
        port=1883,
        client_id=f"test-{uuid.uuid4()}",
        topic="devices/+/readings",
        on_messages=lambda messages: None,
    )


def test_only_messages_of_the_current_connection_at_qos_1_are_acknowledged() -> None:
    wire = session()
    wire.connection = 2

    wire.ack(5, 1, connection=1)  # came before a reconnect: the broker sends it again
    wire.ack(6, 0, connection=2)  # QoS 0 has nothing to acknowledge
    wire.ack(7, 1, connection=2)

    assert bytes(wire._outgoing) == bytes([PUBACK, 2, 0, 7])


@requires_mqtt
def test_the_broker_delivers_again_only_what_the_session_did_not_acknowledge() -> None:
    """Against the real broker: a report the session publishes arrives like a device's message;
    after a reconnect under the same client id, the message that was acknowledged stays gone
    and the one that was not comes again."""
    parts = urlsplit(settings.MQTT_URL)
    topic = f"test-wire/{uuid.uuid4()}/readings"
    arrived: queue.Queue[Message] = queue.Queue()

    def receive(messages: list[Message]) -> None:
        for message in messages:
            arrived.put(message)

    def subscriber(client_id: str) -> Session:
        return Session(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 1883,
            client_id=client_id,
            topic=topic,
            on_messages=receive,
        )

    client_id = f"test-wire-{uuid.uuid4()}"
    open_before = len(os.listdir("/proc/self/fd"))
    first = subscriber(client_id)
    first.start()
    try:
        assert first.subscribed.wait(10)
        first.publish(topic, b"kept")
        first.publish(topic, b"left")
        first.flush()
        received = [arrived.get(timeout=10), arrived.get(timeout=10)]
        assert sorted(message.payload for message in received) == [b"kept", b"left"]
        assert {message.qos for message in received} == {1}
        kept = next(message for message in received if message.payload == b"kept")
        first.ack(kept.mid, kept.qos, kept.connection)
        first.flush()
        # The broker acknowledged both reports: nothing is left to send again.
        assert wait_for(lambda: not first._reports)
    finally:
        first.stop()
    # The connection and the thread's wake-up pair are closed with the session.
    assert len(os.listdir("/proc/self/fd")) == open_before
    again = subscriber(client_id)
    again.start()
    try:
        assert again.subscribed.wait(10)
        assert arrived.get(timeout=10).payload == b"left"
        with pytest.raises(queue.Empty):
            arrived.get(timeout=1)
    finally:
        again.stop()
        forget_session(settings.MQTT_URL, client_id)


def test_a_topic_that_is_not_utf8_drops_the_connection_instead_of_the_thread() -> None:
    [(first, body)], _used = split_packets(bytearray(packet(PUBLISH, b"\x00\x02\xff\xfe{}")))

    with pytest.raises(WireError):
        publish_message(first, body, 1)
