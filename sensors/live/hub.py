"""The live-feed hub of one ASGI server process.

Each server process (each event loop, strictly) runs one hub while any WebSocket is open. The hub
is the process's only member of the channel-layer group that every reading batch is sent to
(`messages.city_group()`), so a batch costs one channel-layer message per server process rather
than one per subscriber. The hub then:

- routes readings to the local subscribers of the device, pilot, district and city feeds;
- passes device-feed readings on at once, every one of them;
- coalesces the city, district and pilot feeds: it keeps the latest reading per device and metric
  and emits one frame per feed every `SENSORS_LIVE_FRAME_SECONDS`, serialised once for all its
  subscribers.

Every subscriber has its own bounded outbox drained by its own task, so a slow or dead client
only ever delays itself. A client whose outbox overflows loses the queued frames and is sent a
fresh snapshot instead, so it still ends with the latest value of every device.

The hub outlives trouble on the channel layer. It renews its group membership long before the
layer would expire it. And it watches the layer: a receive that fails, or a ping the hub sends
itself every `PING_SECONDS` that cannot be sent or does not come back, marks an outage; batches
sent meanwhile are lost to this process. A ping sent after that which comes back marks the layer
as back: the hub joins its group again and resyncs every subscriber with a snapshot read anew from
the database, which holds whatever was accepted during the outage. The ping is what notices the
Redis pub/sub layer's outages, which its receive never reports: it reconnects and subscribes
again by itself, silently dropping what was published while it was away. Where it does not
subscribe again, the pings stay lost while they can be sent, and the hub moves to a new channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NamedTuple

from channels.layers import get_channel_layer
from django.conf import settings

from sensors.live.messages import Feed, city_group, feed_group, for_client

logger = logging.getLogger(__name__)

SNAPSHOT_ALERTS = 50

# After a failed receive the hub waits this long before trying again, doubling up to the maximum,
# so that a Redis outage is not met with a busy loop of errors. The maximum is short because the
# layer's return is noticed through the receive: a long wait would leave the feeds stale.
RETRY_SECONDS = 0.5
RETRY_MAX_SECONDS = 2.0

# How often the hub pings itself through the layer, and how long a ping may take to come back
# before the layer counts as lost. A restarted Redis is noticed by the next ping (it cannot be
# sent, or it is dropped while the hub's subscription reconnects), and its return by the first
# ping that comes back, within about a second: well before the next reading of a device that
# reports every few seconds.
PING_SECONDS = 0.5
PING_TIMEOUT_SECONDS = 3.0
PING = "feed.ping"
# A layer that takes pings but sends none back for this long after an outage has lost the hub's
# subscription for good (the pub/sub layer's receiver can stay unsubscribed after Redis
# restarts): the hub then listens on a new channel, which subscribes anew, and tries again
# as often while the pings stay lost.
REBUILD_SECONDS = 5.0


class Bucket(NamedTuple):
    """Subscribers who receive the same bytes: one feed, seen with or without private devices."""

    group: str
    include_private: bool
    coalesce: bool


class Subscriber:
    """One WebSocket's outbox of serialised messages, drained by that socket's own task."""

    def __init__(self, *, limit: int) -> None:
        self.outbox: deque[str] = deque()
        self.limit = limit
        self.wake = asyncio.Event()
        # Set when what is queued can no longer bring the client up to date: its writer then
        # sends a fresh snapshot before anything else.
        self.needs_snapshot = False

    def offer(self, text: str) -> None:
        if len(self.outbox) >= self.limit:
            # The client is not keeping up: drop what it has not read and resync it instead.
            self.resync()
        else:
            self.outbox.append(text)
            self.wake.set()

    def resync(self) -> None:
        self.outbox.clear()
        self.needs_snapshot = True
        self.wake.set()


def _time_key(reading: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(reading["time"])


def _is_newer(reading: dict[str, Any], held: dict[str, Any] | None) -> bool:
    # A late or re-sent older reading must not replace a newer value on screen.
    return held is None or _time_key(held) <= _time_key(reading)


class FeedState:
    """What a feed's snapshot holds, kept current by the hub: latest readings and open alerts.

    Loaded from the database when a feed gets its first subscriber in this process, then
    updated with every reading and alert the hub routes, so that a thousand clients connecting at
    once cost one query rather than a thousand. Readings do not say that a device has become
    private, moved or been retired, so the hub reads the state anew once it is older than
    `snapshot_max_age()`.
    """

    def __init__(self, *, created: float) -> None:
        self.created = created
        self.readings: dict[tuple[int, str], dict[str, Any]] = {}
        self.alerts: dict[int, dict[str, Any]] = {}
        self.closed_alerts: set[int] = set()
        self.loaded = asyncio.Event()
        self.failed = False

    def add_reading(self, reading: dict[str, Any]) -> None:
        key = (reading["device"], reading["metric"])
        if _is_newer(reading, self.readings.get(key)):
            self.readings[key] = for_client(reading)

    def add_alert(self, alert: dict[str, Any]) -> None:
        if alert.get("closed_at"):
            self.alerts.pop(alert["id"], None)
            self.closed_alerts.add(alert["id"])
        else:
            self.alerts[alert["id"]] = alert

    def load(self, snapshot: dict[str, Any]) -> None:
        """Merge what the database said, under whatever arrived while it was being asked."""
        for reading in snapshot["readings"]:
            self.add_reading(reading)
        for alert in snapshot.get("alerts", []):
            if alert["id"] not in self.alerts and alert["id"] not in self.closed_alerts:
                self.alerts[alert["id"]] = alert

    def snapshot(self) -> dict[str, Any]:
        alerts = sorted(self.alerts.values(), key=lambda alert: alert["opened_at"], reverse=True)
        return {"readings": list(self.readings.values()), "alerts": alerts[:SNAPSHOT_ALERTS]}


class Coalescer:
    """The latest reading per device and metric of each coalesced feed since the last frame."""

    def __init__(self) -> None:
        self.pending: dict[Bucket, dict[tuple[int, str], dict[str, Any]]] = {}

    def add(self, bucket: Bucket, reading: dict[str, Any]) -> None:
        latest = self.pending.setdefault(bucket, {})
        key = (reading["device"], reading["metric"])
        if _is_newer(reading, latest.get(key)):
            latest[key] = reading

    def frames(self) -> dict[Bucket, str]:
        """One serialised frame per feed with news, and an empty buffer for the next one."""
        frames = {
            bucket: json.dumps(
                {"type": "readings", "readings": [for_client(r) for r in latest.values()]},
                separators=(",", ":"),
            )
            for bucket, latest in self.pending.items()
            if latest
        }
        self.pending = {}
        return frames


class FeedHub:
    """Routes channel-layer batches to this process's live-feed subscribers."""

    def __init__(self, *, interval: float) -> None:
        self.interval = interval
        # Monotonic seconds; tests replace it to age snapshot states without waiting.
        self.clock: Callable[[], float] = time.monotonic
        self.subscribers: dict[Bucket, set[Subscriber]] = {}
        self.coalescer = Coalescer()
        self.layer: Any = None
        self.channel_name: str | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.lock = asyncio.Lock()
        self.states: dict[Bucket, FeedState] = {}
        # The layer's health as the hub last saw it. `pings` numbers the pings sent, `unanswered`
        # holds when each ping still on its way was sent, and `lost_at` the number of the last
        # ping sent when an outage was last noticed: only a later one coming back proves the
        # layer is back.
        self.layer_ok = True
        self.pings = 0
        self.unanswered: dict[int, float] = {}
        self.lost_at = 0
        self.recovery: asyncio.Task[None] | None = None
        # Event-loop time of the last outage noticed, or of the last move to a new channel.
        self.lost_since = 0.0

    @property
    def running(self) -> bool:
        return bool(self.tasks)

    async def subscribe(self, subscriber: Subscriber, bucket: Bucket) -> None:
        async with self.lock:
            self.subscribers.setdefault(bucket, set()).add(subscriber)
            if not self.running:
                await self._start()

    async def unsubscribe(self, subscriber: Subscriber, bucket: Bucket) -> None:
        async with self.lock:
            members = self.subscribers.get(bucket)
            if members is not None:
                members.discard(subscriber)
                if not members:
                    del self.subscribers[bucket]
                    self.states.pop(bucket, None)
            if not self.subscribers and self.running:
                await self._stop()

    async def snapshot(
        self, bucket: Bucket, load: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """The bucket's snapshot; `load` reads it from the database when the hub has none.

        Call only while subscribed to the bucket, so that what arrives during the load is kept.
        """
        while True:
            state = self.states.get(bucket)
            if (
                state is not None
                and state.loaded.is_set()
                and self.clock() - state.created > snapshot_max_age()
            ):
                del self.states[bucket]
                state = None
            if state is None:
                state = self.states[bucket] = FeedState(created=self.clock())
                try:
                    state.load(await load())
                except BaseException:
                    state.failed = True
                    if self.states.get(bucket) is state:
                        del self.states[bucket]
                    raise
                finally:
                    state.loaded.set()
            else:
                await state.loaded.wait()
                if state.failed:
                    continue
            return state.snapshot()

    async def _start(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            raise RuntimeError("live feeds need a channel layer (CHANNEL_LAYERS)")
        self.channel_name = await layer.new_channel()
        await layer.group_add(city_group(), self.channel_name)
        self.layer = layer
        self.layer_ok, self.pings, self.unanswered, self.lost_at = True, 0, {}, 0
        self.tasks = [
            asyncio.create_task(self._receive(layer, self.channel_name)),
            asyncio.create_task(self._tick()),
            asyncio.create_task(self._renew(layer)),
            asyncio.create_task(self._watch(layer)),
        ]

    async def _stop(self) -> None:
        tasks, self.tasks = self.tasks, []
        if self.recovery is not None:
            tasks.append(self.recovery)
            self.recovery = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        layer = get_channel_layer()
        if layer is not None and self.channel_name is not None:
            await layer.group_discard(city_group(), self.channel_name)
        self.channel_name = None
        self.layer = None
        self.coalescer = Coalescer()

    async def _receive(self, layer: Any, channel: str) -> None:
        delay = RETRY_SECONDS
        while True:
            try:
                message = await layer.receive(channel)
            except Exception:
                # The hub is this process's only listener: if this task ended, every feed of
                # the process would go silent while the sockets stayed open.
                self._lost("a receive failed", exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            delay = RETRY_SECONDS
            self.route(message)

    async def _watch(self, layer: Any) -> None:
        """Ping the hub through the layer now and then: an outage shows as a ping that is lost."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(PING_SECONDS)
            now = loop.time()
            if self.unanswered and now - min(self.unanswered.values()) > PING_TIMEOUT_SECONDS:
                self.unanswered.clear()
                self._lost(f"a ping did not come back within {PING_TIMEOUT_SECONDS}s")
                if now - self.lost_since > REBUILD_SECONDS:
                    await self._listen_anew(layer)
            self.pings += 1
            number = self.pings
            self.unanswered[number] = now
            try:
                # Not `asyncio.wait_for`, which can swallow the hub's own cancellation (before
                # Python 3.12) when the send finishes at that moment; the hub would never stop.
                async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                    await layer.send(self.channel_name, {"type": PING, "ping": number})
            except Exception:
                self.unanswered.pop(number, None)
                self._lost("a ping could not be sent", exc_info=True)

    async def _listen_anew(self, layer: Any) -> None:
        """Receive on a new channel in the group: pings sent still do not come back."""
        self.lost_since = asyncio.get_running_loop().time()
        old = self.channel_name
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                channel = await layer.new_channel()
                await layer.group_add(city_group(), channel)
        except Exception:
            logger.warning("Could not listen to the live feeds on a new channel", exc_info=True)
            return
        logger.warning("The live feeds' pings stay lost; listening on a new channel")
        self.channel_name = channel
        # Pings to the old channel will never be answered; what the new one carries counts.
        self.lost_at = max(self.lost_at, self.pings)
        receiving = self.tasks[0]
        receiving.cancel()
        self.tasks[0] = asyncio.create_task(self._receive(layer, channel))
        with contextlib.suppress(Exception):
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                await layer.group_discard(city_group(), old)

    def _lost(self, reason: str, *, at: int | None = None, exc_info: bool = False) -> None:
        """Note that the layer failed: what it carried since ping `at` (by default, the last one
        sent) may not have reached this process."""
        self.lost_at = max(self.lost_at, self.pings if at is None else at)
        if self.layer_ok:
            self.layer_ok = False
            self.lost_since = asyncio.get_running_loop().time()
            logger.warning(
                "The live feeds lost the channel layer (%s); resyncing when it is back",
                reason,
                exc_info=exc_info,
            )

    def note_lost(self, reason: str) -> None:
        """The layer says it failed on its own: resync once the pings come back."""
        self._lost(reason)

    def _echo(self, number: int) -> None:
        earlier = [sent for sent in self.unanswered if sent < number]
        for sent in [*earlier, number]:
            self.unanswered.pop(sent, None)
        if earlier:
            # The layer delivers in order, so an earlier ping still unanswered was lost, and
            # whatever was sent with it: a layer that reconnects by itself shows its outage so.
            # This one came back, so the layer is back already.
            self._lost(f"ping {earlier[0]} was lost", at=number - 1)
        if not self.layer_ok and number > self.lost_at and self.recovery is None:
            self.recovery = asyncio.create_task(self._recover(marker=self.lost_at))

    async def _recover(self, *, marker: int) -> None:
        """The layer is back: join the group again and resync every subscriber."""
        try:
            # The layer may have lost the membership with the connection, or with Redis's data.
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                await self.layer.group_add(city_group(), self.channel_name)
        except Exception:
            # Not back after all; the next ping that comes back tries again.
            logger.warning("Could not join the live feeds' group again", exc_info=True)
            return
        finally:
            self.recovery = None
        if self.lost_at != marker:
            # It failed again while the hub was joining; wait for the next ping to come back.
            return
        self.layer_ok = True
        # Batches sent during the outage are lost to this process, and a reading accepted then
        # was never sent at all: every subscriber starts again from a snapshot read anew.
        self.resync()
        logger.info(
            "The live feeds have the channel layer back; %d sockets are sent a fresh snapshot",
            sum(len(members) for members in self.subscribers.values()),
        )

    def route(self, message: dict[str, Any]) -> None:
        try:
            if message.get("type") == "feed.readings":
                self.dispatch_readings(message["readings"])
            elif message.get("type") == "feed.alerts":
                self.dispatch_alerts(message["alerts"])
            elif message.get("type") == PING:
                self._echo(int(message["ping"]))
        except Exception:
            # One malformed batch must not end the feed for everybody.
            logger.exception("Could not route a live-feed message")

    async def _renew(self, layer: Any) -> None:
        """Join the group again now and then, before the layer's `group_expiry` drops the hub."""
        while True:
            await asyncio.sleep(group_refresh_seconds())
            try:
                await layer.group_add(city_group(), self.channel_name)
            except Exception:
                # The pings notice a dead layer too, and the hub joins again when it is back.
                logger.warning("Could not renew the live feeds' group membership", exc_info=True)

    def resync(self) -> None:
        """Send every subscriber a fresh snapshot, read from the database rather than the cache."""
        self.states.clear()
        for members in self.subscribers.values():
            for subscriber in members:
                subscriber.resync()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.flush()

    def _buckets_for(self, item: dict[str, Any]) -> list[Bucket]:
        """The buckets with subscribers that may see this reading or alert."""
        groups = [(city_group(), True), (feed_group(Feed.DEVICE, item["device"]), False)]
        if item.get("district") is not None:
            groups.append((feed_group(Feed.DISTRICT, item["district"]), True))
        if item.get("pilot") is not None:
            groups.append((feed_group(Feed.PILOT, item["pilot"]), True))
        public = bool(item.get("public"))
        found = []
        for group, coalesce in groups:
            for include_private in (False, True):
                bucket = Bucket(group, include_private, coalesce)
                if bucket in self.subscribers and (public or include_private):
                    found.append(bucket)
        return found

    def dispatch_readings(self, readings: list[dict[str, Any]]) -> None:
        immediate: dict[Bucket, list[dict[str, Any]]] = {}
        for reading in readings:
            for bucket in self._buckets_for(reading):
                state = self.states.get(bucket)
                if state is not None:
                    state.add_reading(reading)
                if bucket.coalesce:
                    self.coalescer.add(bucket, reading)
                else:
                    immediate.setdefault(bucket, []).append(reading)
        for bucket, batch in immediate.items():
            self._offer(bucket, {"type": "readings", "readings": [for_client(r) for r in batch]})

    def dispatch_alerts(self, alerts: list[dict[str, Any]]) -> None:
        for alert in alerts:
            for bucket in self._buckets_for(alert):
                state = self.states.get(bucket)
                if state is not None:
                    state.add_alert(alert)
                self._offer(bucket, {"type": "alert", "alert": alert})

    def flush(self) -> None:
        for bucket, text in self.coalescer.frames().items():
            for subscriber in self.subscribers.get(bucket, ()):
                subscriber.offer(text)

    def _offer(self, bucket: Bucket, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        for subscriber in self.subscribers.get(bucket, ()):
            subscriber.offer(text)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FeedHub] = weakref.WeakKeyDictionary()

# The Redis pub/sub layer's receiver reports a broken subscription only in its log, then
# reconnects and subscribes again by itself. What was published meanwhile is lost, and a ping may
# not fall in that gap, so the hubs hear of it here.
PUBSUB_LOGGER = "channels_redis.pubsub"
PUBSUB_RECEIVE_FAILED = "Unexpected exception in receive task"


class _PubSubReceiveFailures(logging.Handler):
    """Tells every hub of this process that the pub/sub layer's receiver failed."""

    def emit(self, record: logging.LogRecord) -> None:
        if not record.getMessage().startswith(PUBSUB_RECEIVE_FAILED):
            return
        for loop, hub in list(_hubs.items()):
            if hub.running and not loop.is_closed():
                loop.call_soon_threadsafe(hub.note_lost, "the pub/sub layer's receiver failed")


_pubsub_failures = _PubSubReceiveFailures()


def frame_interval() -> float:
    return float(settings.SENSORS_LIVE_FRAME_SECONDS)


def outbox_limit() -> int:
    return int(settings.SENSORS_LIVE_OUTBOX_LIMIT)


def group_refresh_seconds() -> float:
    return float(settings.SENSORS_LIVE_GROUP_REFRESH_SECONDS)


def snapshot_max_age() -> float:
    return float(settings.SENSORS_LIVE_SNAPSHOT_MAX_AGE)


def recheck_seconds() -> float:
    return float(settings.SENSORS_LIVE_RECHECK_SECONDS)


def get_hub() -> FeedHub:
    """The hub of the running event loop, created on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = FeedHub(interval=frame_interval())
        pubsub = logging.getLogger(PUBSUB_LOGGER)
        if _pubsub_failures not in pubsub.handlers:
            pubsub.addHandler(_pubsub_failures)
    return hub
