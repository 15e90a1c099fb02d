"""The MQTT 3.1.1 the ingest speaks: one persistent session subscribed at QoS 1, read in bulk.

A general client library does a device's work for every message it receives: it reads the packet
a few bytes at a time, builds a message object with its own lock, and wakes its network loop for
every acknowledgement. At thousands of messages a second that took about as much of a core as
storing them. This session reads whatever the socket holds at once, cuts it into packets with
slices, hands the caller all the messages of one read together, and sends a whole group's
acknowledgements and reports in one write.

It does only what `sensors.mqtt` needs: connect with a client id and clean session off
(optionally with a user name, a password and TLS), subscribe to one topic filter (after
unsubscribing from others), receive PUBLISH at QoS 0 and 1, acknowledge them when told,
publish reports at QoS 1 (sent again after a reconnect until the broker acknowledges them), keep
the connection alive and reconnect with a growing wait when it drops. One network thread owns
the socket, so TLS is safe too: other threads only queue bytes for it and wake it.

Acknowledging late is what makes the broker keep a message: until a PUBACK for its packet id
arrives, the broker holds it in the session and delivers it again (flagged DUP) after a
reconnect. Messages received on a connection that has since dropped are left out of later groups
(`Message.connection`): the broker delivers them again on the new one.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

logger = logging.getLogger(__name__)

CONNECT, CONNACK, PUBLISH, PUBACK = 0x10, 0x20, 0x30, 0x40
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 0x82, 0x90, 0xA2, 0xB0
PINGREQ, PINGRESP, DISCONNECT = 0xC0, 0xD0, 0xE0
DUP = 0x08
# What the broker answers a refused CONNECT with (MQTT 3.1.1, section 3.2.2.3).
REFUSALS = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorized",
}
READ_SIZE = 256 * 1024
HANDSHAKE_TIMEOUT = 10.0


class WireError(Exception):
    """The broker refused us, or sent what MQTT 3.1.1 does not allow: the connection is dropped."""


class Message(NamedTuple):
    """A PUBLISH received: `mid` is its packet id (0 at QoS 0), `connection` the number of the
    connection it came on, which its acknowledgement must go out on."""

    topic: str
    payload: bytes
    mid: int
    qos: int
    connection: int = 0


def packet(kind: int, body: bytes) -> bytes:
    """A control packet: its first byte, its remaining length (1 to 4 bytes), its body."""
    size, length = len(body), bytearray()
    while True:
        size, digit = divmod(size, 128)
        length.append(digit | (0x80 if size else 0))
        if not size:
            return bytes([kind]) + bytes(length) + body


def text(value: str) -> bytes:
    """An MQTT string: its UTF-8 length in two bytes, then the bytes."""
    encoded = value.encode()
    return len(encoded).to_bytes(2, "big") + encoded


def connect_packet(
    *, client_id: str, keepalive: int, username: str | None, password: str | None
) -> bytes:
    flags = 0x00  # clean session off: the broker keeps our subscription and messages
    payload = text(client_id)
    if username is not None:
        flags |= 0x80
        payload += text(username)
        if password is not None:
            flags |= 0x40
            payload += text(password)
    return packet(
        CONNECT, text("MQTT") + bytes([4, flags]) + keepalive.to_bytes(2, "big") + payload
    )


def split_packets(buffer: bytearray) -> tuple[list[tuple[int, bytes]], int]:
    """The whole packets at the start of `buffer`, as (first byte, body), and how many bytes
    they took; a packet not yet wholly received is left for the next read."""
    packets: list[tuple[int, bytes]] = []
    position, end = 0, len(buffer)
    while position + 2 <= end:
        size, shift, cursor = 0, 0, position + 1
        while True:
            if cursor >= end:
                return packets, position
            digit = buffer[cursor]
            size |= (digit & 0x7F) << shift
            cursor += 1
            if not digit & 0x80:
                break
            shift += 7
            if shift > 21:
                raise WireError("a packet's remaining length is longer than four bytes")
        if cursor + size > end:
            break
        packets.append((buffer[position], bytes(buffer[cursor : cursor + size])))
        position = cursor + size
    return packets, position


def publish_message(first: int, body: bytes, connection: int) -> Message:
    """A received PUBLISH packet's topic, packet id, QoS and payload."""
    qos = (first >> 1) & 0x03
    if qos == 3:
        raise WireError("a PUBLISH with QoS 3")
    size = int.from_bytes(body[:2], "big")
    try:
        topic = body[2 : 2 + size].decode()
    except UnicodeDecodeError:
        raise WireError("a PUBLISH whose topic is not UTF-8") from None
    if qos:
        mid = int.from_bytes(body[2 + size : 4 + size], "big")
        return Message(topic, body[4 + size :], mid, qos, connection)
    return Message(topic, body[2 + size :], 0, 0, connection)


class Session:
    """A persistent session subscribed to `topic`; `on_messages` gets each read's messages.

    `start` runs the network thread; `stop` (or `disconnect`) ends the session's connection
    cleanly and the thread with it. `subscribed` is set while the subscription holds.
    `ack`, `publish` and `flush` may be called from any thread.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        topic: str,
        on_messages: Callable[[list[Message]], None],
        unsubscribe: Iterable[str] = (),
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        keepalive: int = 30,
        reconnect_waits: tuple[float, float] = (1.0, 10.0),
    ) -> None:
        self.host, self.port, self.client_id, self.topic = host, port, client_id, topic
        self.on_messages = on_messages
        self.unsubscribe = list(unsubscribe)
        self.username, self.password, self.tls = username, password, tls
        self.keepalive = keepalive
        self.reconnect_waits = reconnect_waits
        self.subscribed = threading.Event()
        self.connection = 0  # the number of the current connection, from 1
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._outgoing = bytearray()  # queued for the network thread to write
        self._reports: dict[int, bytes] = {}  # our QoS 1 publishes the broker has not acked
        self._next_mid = 0
        # How other threads wake the network thread; made by `start`, closed when the thread ends.
        self._wake_pair: tuple[socket.socket, socket.socket] | None = None
        self._thread: threading.Thread | None = None

    # --- what other threads call ---------------------------------------------------------------

    def ack(self, mid: int, qos: int, connection: int | None = None) -> None:
        """Queue the PUBACK of a message received at QoS 1; sent by `flush`.

        One received on an earlier connection is not acknowledged: the broker delivers it again.
        """
        if qos != 1 or (connection is not None and connection != self.connection):
            return
        with self._lock:
            self._outgoing += bytes([PUBACK, 2]) + mid.to_bytes(2, "big")

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        """Queue a QoS 1 publish; sent by `flush`, and again after a reconnect until acked."""
        with self._lock:
            mid = self._free_mid()
            body = text(topic) + mid.to_bytes(2, "big") + payload
            self._reports[mid] = body
            self._outgoing += packet(PUBLISH | 0x02, body)

    def flush(self) -> None:
        """Have the network thread write what is queued."""
        self._wake()

    def disconnect(self) -> None:
        """Write what is queued, then DISCONNECT, and stop: the session stays with the broker."""
        self._closing.set()
        self._wake()

    def start(self) -> None:
        self._closing.clear()
        self._wake_pair = socket.socketpair()
        self._wake_pair[1].setblocking(False)
        self._thread = threading.Thread(target=self._run, name="mqtt-network", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.disconnect()
        if self._thread is not None:
            self._thread.join(15)

    # --- the network thread --------------------------------------------------------------------

    def _free_mid(self) -> int:
        for _ in range(65_535):
            self._next_mid = self._next_mid % 65_535 + 1
            if self._next_mid not in self._reports:
                return self._next_mid
        raise WireError("65,535 reports wait for the broker's acknowledgement")

    def _wake(self) -> None:
        pair = self._wake_pair
        # A full pair means a wake-up is already waiting; a closed one, that no thread waits.
        if pair is not None:
            with contextlib.suppress(OSError):
                pair[1].send(b"\0")

    def _run(self) -> None:
        pair = self._wake_pair
        assert pair is not None  # noqa: S101 - made by `start`.
        try:
            self._connections(wake=pair[0])
        finally:
            self._wake_pair = None
            for end in pair:
                end.close()

    def _connections(self, *, wake: socket.socket) -> None:
        """Connect, serve, and connect again after a growing wait, until the session closes."""
        wait = self.reconnect_waits[0]
        while not self._closing.is_set():
            try:
                sock = self._connect()
            except (OSError, WireError) as error:
                logger.warning(
                    "Could not connect to the MQTT broker at %s:%s: %s", self.host, self.port, error
                )
            else:
                wait = self.reconnect_waits[0]
                try:
                    self._serve(sock, wake=wake)
                except (OSError, WireError) as error:
                    logger.warning("Disconnected from the MQTT broker: %s", error)
                except Exception:
                    # Whatever went wrong, the thread lives on to reconnect: the broker delivers
                    # again what was not acknowledged.
                    logger.exception("The MQTT connection failed; reconnecting")
                finally:
                    self.subscribed.clear()
                    sock.close()
            if self._closing.wait(wait):
                break
            wait = min(wait * 2, self.reconnect_waits[1])

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=HANDSHAKE_TIMEOUT)
        try:
            if self.tls:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
            sock.sendall(
                connect_packet(
                    client_id=self.client_id,
                    keepalive=self.keepalive,
                    username=self.username,
                    password=self.password,
                )
            )
            answer = self._read_exactly(sock, 4)
            if answer[0] != CONNACK or answer[1] != 2:
                raise WireError("the broker did not answer CONNECT with a CONNACK")
            if answer[3]:
                refusal = REFUSALS.get(answer[3], f"code {answer[3]}")
                raise WireError(f"the broker refused the connection: {refusal}")
        except BaseException:
            sock.close()
            raise
        # Acknowledgements are small writes the broker waits for before it sends more (its
        # in-flight window): Nagle's algorithm would hold each back for the previous one's ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        with self._lock:
            self.connection += 1
            # Reports the broker has not acknowledged go again, flagged as such (MQTT 4.4).
            resend = b"".join(packet(PUBLISH | 0x02 | DUP, body) for body in self._reports.values())
            # PUBACKs queued for the dropped connection are left out, as their messages come again.
            self._outgoing = bytearray(resend)
        filters = b"".join(text(topic) for topic in self.unsubscribe)
        with self._lock:
            # Packet ids are shared with the reports in flight (MQTT 2.3.1).
            subscribe = packet(
                SUBSCRIBE, self._free_mid().to_bytes(2, "big") + text(self.topic) + b"\x01"
            )
            if filters:
                unsubscribe = packet(UNSUBSCRIBE, self._free_mid().to_bytes(2, "big") + filters)
                subscribe = unsubscribe + subscribe
            self._outgoing[:0] = subscribe
        logger.info("Connected to the MQTT broker at %s:%s", self.host, self.port)
        return sock

    @staticmethod
    def _read_exactly(sock: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise WireError("the broker closed the connection")
            data += chunk
        return data

    def _serve(self, sock: socket.socket, *, wake: socket.socket) -> None:
        """Read, write and keep the connection alive until it drops or the session closes."""
        buffer = bytearray()
        heard = sent = time.monotonic()
        connection = self.connection
        while True:
            with self._lock:
                outgoing, self._outgoing = self._outgoing, bytearray()
            closing = self._closing.is_set()
            if closing:
                outgoing += bytes([DISCONNECT, 0])
            if outgoing:
                self._send(sock, outgoing)
                sent = time.monotonic()
            if closing:
                return
            now = time.monotonic()
            if now - heard > 1.5 * self.keepalive:
                raise WireError("the broker stopped answering")
            if now - sent > self.keepalive / 2:
                self._send(sock, bytes([PINGREQ, 0]))
                sent = now
            readable, _w, _x = select.select([sock, wake], [], [], self.keepalive / 4)
            if wake in readable:
                wake.recv(4096)
            if sock not in readable:
                continue
            while True:
                try:
                    data = sock.recv(READ_SIZE)
                except (BlockingIOError, ssl.SSLWantReadError):
                    break
                if not data:
                    raise WireError("the broker closed the connection")
                buffer += data
                if not isinstance(sock, ssl.SSLSocket) or not sock.pending():
                    break
            heard = time.monotonic()
            packets, used = split_packets(buffer)
            del buffer[:used]
            self._handle(packets, connection)

    def _handle(self, packets: list[tuple[int, bytes]], connection: int) -> None:
        messages = []
        for first, body in packets:
            kind = first & 0xF0
            if kind == PUBLISH:
                messages.append(publish_message(first, body, connection))
            elif kind == PUBACK:
                with self._lock:
                    self._reports.pop(int.from_bytes(body[:2], "big"), None)
            elif kind == SUBACK:
                if body[2:3] == b"\x80":
                    raise WireError(f"the broker refused the subscription to {self.topic}")
                self.subscribed.set()
            elif kind not in (UNSUBACK, PINGRESP):
                raise WireError(f"unexpected packet type {kind >> 4}")
        if messages:
            self.on_messages(messages)

    @staticmethod
    def _send(sock: socket.socket, data: bytes | bytearray) -> None:
        """Write all of `data` on the non-blocking socket, waiting while the broker reads."""
        view = memoryview(data)
        while view:
            try:
                view = view[sock.send(view) :]
            except (BlockingIOError, ssl.SSLWantWriteError):
                if not select.select([], [sock], [], HANDSHAKE_TIMEOUT)[1]:
                    raise WireError("the broker stopped reading") from None
