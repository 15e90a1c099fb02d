"""WebSocket feeds of live readings: the city, one district, one pilot, one device.

Every feed sends, in order: a snapshot of the latest value of every device in scope, then new
readings (every one on a device feed; a few coalesced frames a second on the others) and alerts.
Messages are JSON objects with a `type` of "snapshot", "readings" or "alert".

The city and district feeds carry public devices only, the same bytes for everybody. A pilot feed
also carries the pilot's private devices to its members. A private device's own feed is refused to
anyone else: the socket is accepted and at once closed with code 4403, so that the browser learns
why (a feed that does not exist closes with 4404).

Leave to see private devices can end while the socket is open: a participant withdraws, a device
is made private. A socket that carries private devices therefore asks again every
`hub.recheck_seconds()`, and closes with 4403 (or 4404) once the answer is no.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sensors.live import hub, selectors
from sensors.live.messages import Feed, feed_group

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
# The standard "internal error" code: the page reconnects, and is asked for permission again.
CLOSE_UNCHECKED = 1011


class FeedConsumer(AsyncJsonWebsocketConsumer):
    """One live feed; `feed` is set by the subclass, the key comes from the URL."""

    feed: Feed = Feed.CITY
    # The process's hub receives from the channel layer for every socket (`hub`); a socket
    # of its own on the layer would only add a Redis listener per connection. An alias that names
    # no layer gives the consumer none.
    channel_layer_alias = "no-layer-per-socket"

    scope_of_feed: selectors.FeedScope
    bucket: hub.Bucket
    subscriber: hub.Subscriber | None = None
    writer: asyncio.Task[None] | None = None
    guard: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        resolved: selectors.FeedScope | selectors.FeedRefusal
        if self.feed is Feed.CITY:
            # Open to all and the same for all: no need to wait for a database thread.
            resolved = selectors.FeedScope()
        else:
            resolved = await database_sync_to_async(selectors.feed_scope)(
                feed=self.feed.value, key=kwargs.get("key"), user=self.scope.get("user")
            )
        if isinstance(resolved, selectors.FeedRefusal):
            await self.accept()
            await self.close(code=_close_code(resolved))
            return
        self.scope_of_feed = resolved
        self.bucket = _bucket(self.feed, resolved)
        await self.accept()
        # Subscribe before reading the snapshot, so that nothing sent meanwhile is lost; the
        # page keeps the newest value per device, so overlap is harmless.
        self.subscriber = hub.Subscriber(limit=hub.outbox_limit())
        await hub.get_hub().subscribe(self.subscriber, self.bucket)
        await self.send_snapshot()
        self.writer = asyncio.create_task(self._write(self.subscriber))
        # Only private devices need asking again: a device feed is private or may become so, and
        # its scope always includes private devices; so does a member's pilot feed.
        if resolved.include_private:
            self.guard = asyncio.create_task(self._recheck())

    async def send_snapshot(self) -> None:
        scope = self.scope_of_feed

        async def load() -> dict[str, Any]:
            snapshot: dict[str, Any] = await database_sync_to_async(selectors.feed_snapshot)(scope)
            return snapshot

        snapshot = await hub.get_hub().snapshot(self.bucket, load)
        await self.send(
            text_data=json.dumps(
                {"type": "snapshot", "feed": self.feed.value, **snapshot}, separators=(",", ":")
            )
        )

    async def _write(self, subscriber: hub.Subscriber) -> None:
        while True:
            await subscriber.wake.wait()
            subscriber.wake.clear()
            if subscriber.needs_snapshot:
                subscriber.needs_snapshot = False
                await self.send_snapshot()
            while subscriber.outbox:
                await self.send(text_data=subscriber.outbox.popleft())

    async def _recheck(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        while True:
            await asyncio.sleep(hub.recheck_seconds())
            try:
                refusal = await database_sync_to_async(selectors.feed_refusal)(
                    feed=self.feed.value,
                    key=kwargs.get("key"),
                    user=self.scope.get("user"),
                    granted=self.scope_of_feed,
                )
            except Exception:
                # Private readings go only to whom the database has just confirmed; the page
                # reconnects and is asked again.
                logger.exception("Could not check a live feed's permission again")
                code = CLOSE_UNCHECKED
            else:
                if refusal is None:
                    continue
                code = _close_code(refusal)
            await self._leave()
            await self.close(code=code)
            return

    async def _leave(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.writer
            self.writer = None
        if self.subscriber is not None:
            await hub.get_hub().unsubscribe(self.subscriber, self.bucket)
            self.subscriber = None

    async def disconnect(self, code: int) -> None:
        if self.guard is not None:
            self.guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.guard
            self.guard = None
        await self._leave()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Feeds only speak; anything a client sends is ignored.
        return


def _close_code(refusal: selectors.FeedRefusal) -> int:
    return CLOSE_NOT_FOUND if refusal is selectors.FeedRefusal.NOT_FOUND else CLOSE_FORBIDDEN


def _bucket(feed: Feed, scope: selectors.FeedScope) -> hub.Bucket:
    if scope.device is not None:
        # Whoever passed `connect` may see this device, private or not; every reading, at once.
        return hub.Bucket(feed_group(Feed.DEVICE, scope.device.pk), True, False)
    if scope.pilot is not None:
        return hub.Bucket(feed_group(Feed.PILOT, scope.pilot.pk), scope.include_private, True)
    if scope.district is not None:
        return hub.Bucket(feed_group(Feed.DISTRICT, scope.district.pk), False, True)
    return hub.Bucket(feed_group(Feed.CITY), False, True)


class CityFeedConsumer(FeedConsumer):
    feed = Feed.CITY


class DistrictFeedConsumer(FeedConsumer):
    feed = Feed.DISTRICT


class PilotFeedConsumer(FeedConsumer):
    feed = Feed.PILOT


class DeviceFeedConsumer(FeedConsumer):
    feed = Feed.DEVICE
