"""Everything the server pushes to the live feeds goes through here, after its commit.

Services call `push_on_commit` inside their transaction; the readings and alerts go out once it
commits, as one channel-layer message each to the group of every server process's hub
(`messages.city_group()`). Live feeds are best effort: a reading is stored whether or not anyone
is watching, and a hub that missed a batch resyncs its clients from the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from sensors.live.messages import city_group

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 10

_sender_lock = threading.Lock()
_sender: tuple[int, asyncio.AbstractEventLoop] | None = None


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for channel-layer sends from synchronous code.

    `async_to_sync` would start a fresh event loop, and with it a fresh Redis connection, for
    every batch; a worker pushing hundreds of batches a second would spend more on that than on
    the sends. One long-lived loop per process (re-made after a fork) keeps its connections.
    """
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="live-feeds", daemon=True)
            thread.start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def _group_send(layer: Any, message: dict[str, Any]) -> None:
    if isinstance(layer, InMemoryChannelLayer):
        # The in-memory layer lives in the server's own loop, which async_to_sync finds.
        async_to_sync(layer.group_send)(city_group(), message)
        return
    try:
        _send_once(layer, message)
    except TimeoutError:
        raise
    except Exception as error:
        # A Redis that restarted since the last batch closed this process's connection, and the
        # first send on it fails; the layer drops it, so a second try goes out on a new one. A
        # Redis still away fails again at once, and the hubs resync their clients when it is back.
        logger.info("Sending to the live feeds failed (%r); trying once more", error)
        _send_once(layer, message)


def _send_once(layer: Any, message: dict[str, Any]) -> None:
    future = asyncio.run_coroutine_threadsafe(
        layer.group_send(city_group(), message), _sender_loop()
    )
    try:
        future.result(timeout=SEND_TIMEOUT_SECONDS)
    except TimeoutError:
        # Do not leave it running behind the caller's back, holding the layer's connection.
        future.cancel()
        raise


def push_readings(readings: list[dict[str, Any]]) -> None:
    """Send readings (shaped by `messages.reading_message`) to every feed they belong to.

    Call after the readings are committed, from synchronous code.
    """
    layer = get_channel_layer()
    if layer is None or not readings:
        return
    _group_send(layer, {"type": "feed.readings", "readings": readings})


def push_alerts(alerts: Iterable[dict[str, Any]]) -> None:
    """Send alerts that opened or closed (shaped by `messages.alert_payload`). Call after commit."""
    layer = get_channel_layer()
    batch = list(alerts)
    if layer is None or not batch:
        return
    _group_send(layer, {"type": "feed.alerts", "alerts": batch})


def push_on_commit(
    *, readings: list[dict[str, Any]] | None = None, alerts: list[dict[str, Any]] | None = None
) -> None:
    """Push readings and alerts once the current transaction commits; failures are logged."""
    readings, alerts = readings or [], alerts or []
    if not readings and not alerts:
        return

    def push() -> None:
        try:
            push_readings(readings)
            push_alerts(alerts)
        except Exception:
            logger.exception("Could not push readings to the live feeds")

    transaction.on_commit(push)
