"""What a device may send in a minute, and how many invalid tokens may come from one place.

**Readings per device.** Each device may send `SENSORS_DEVICE_READINGS_PER_MINUTE` readings in a
calendar minute, over HTTP and MQTT together; a send that would take it past that is refused
whole (429 `rate_limited`, Retry-After: the seconds left in the minute) and not counted. The
count is kept on the device's row (`ingest_minute`, `ingest_count`), read after the device's
processing lock is taken (`processing.devices_lock`) and written in the same transaction, so
every ingest process, however many run, sees the others' counts: the limit is exact. A group
commit reads the counts of all its devices in one query and writes them with the devices'
last-seen times (`storage.devices_mark_seen`), so each device's row is still updated once.

**Invalid tokens per origin.** An origin (a client address over HTTP; over MQTT, which shows no
addresses, the device id of the topic) that sent `SENSORS_TOKEN_FAILURE_LIMIT` invalid tokens in
a window of `SENSORS_TOKEN_FAILURE_WINDOW` seconds is refused (429 `too_many_invalid_tokens`)
without its tokens being looked up until the window ends. The counts are in the cache, shared
by every process; a group asks for all its origins in one round trip.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from portal.arrays import array_literal
from portal.limits import CacheCounter, LimitReached
from sensors.errors import SensorError
from sensors.models import Device
from sensors.services.processing import devices_lock

MINUTE = dt.timedelta(minutes=1)


def readings_limit() -> int | None:
    """Readings a device may send in a minute, or None when there is no limit."""
    limit: int = settings.SENSORS_DEVICE_READINGS_PER_MINUTE
    return limit or None


@dataclass
class Window:
    """A device's count of readings in the minute that starts at `minute`."""

    minute: dt.datetime | None
    count: int
    changed: bool = False


def _minute(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


def device_windows_read(device_ids: Collection[int]) -> dict[int, Window]:
    """The devices' windows, in one query. The caller holds the devices' locks."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, ingest_minute, ingest_count FROM sensors_device "
                "WHERE id = ANY(%s::bigint[])",
                [array_literal(device_ids)],
            )
            return {pk: Window(minute, count) for pk, minute, count in cursor.fetchall()}
    return {
        pk: Window(minute, count)
        for pk, minute, count in Device.objects.filter(pk__in=list(device_ids)).values_list(
            "pk", "ingest_minute", "ingest_count"
        )
    }


def device_readings_take(
    window: Window, *, count: int, now: dt.datetime, limit: int
) -> LimitReached | None:
    """Count `count` readings in `window`, or the refusal if they would pass `limit`."""
    minute = _minute(now)
    if window.minute != minute:
        window.minute, window.count = minute, 0
    if window.count + count > limit:
        retry_after = max(1, math.ceil((minute + MINUTE - now).total_seconds()))
        return LimitReached(
            _(
                "A device may send at most %(limit)d readings a minute; this one has sent "
                "%(sent)d this minute, and these %(count)d would pass the limit. Send them again "
                "in %(seconds)d seconds."
            )
            % {"limit": limit, "sent": window.count, "count": count, "seconds": retry_after},
            code=SensorError.RATE_LIMITED,
            retry_after=retry_after,
        )
    window.count += count
    window.changed = True
    return None


def device_windows_write(windows: dict[int, Window]) -> None:
    """Keep the windows that changed, in one statement. The caller holds the devices' locks."""
    changed = [(pk, window) for pk, window in windows.items() if window.changed]
    if not changed:
        return
    if connection.vendor != "postgresql":
        for pk, window in changed:
            Device.objects.filter(pk=pk).update(
                ingest_minute=window.minute, ingest_count=window.count
            )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sensors_device AS d SET ingest_minute = w.minute, ingest_count = w.count "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::integer[]) AS w(id, minute, count) "
            "WHERE d.id = w.id",
            [
                array_literal(pk for pk, _window in changed),
                array_literal(window.minute for _pk, window in changed),
                array_literal(window.count for _pk, window in changed),
            ],
        )


def device_readings_count(*, device_id: int, count: int, now: dt.datetime) -> None:
    """Count `count` readings from one device, or raise `LimitReached`.

    For the workers' path (one request, one device); locks the device until the caller's
    transaction ends, so the caller must be in one.
    """
    limit = readings_limit()
    if limit is None:
        return
    devices_lock([device_id])
    windows = device_windows_read([device_id])
    refusal = device_readings_take(windows[device_id], count=count, now=now, limit=limit)
    if refusal is not None:
        raise refusal
    device_windows_write(windows)


# --- Invalid tokens -----------------------------------------------------------------------------


def _token_failures() -> CacheCounter:
    return CacheCounter("sensors-token-failures", settings.SENSORS_TOKEN_FAILURE_WINDOW)


def token_failures_limit() -> int | None:
    limit: int = settings.SENSORS_TOKEN_FAILURE_LIMIT
    return limit or None


def token_failures_refusal(*, now: dt.datetime) -> LimitReached:
    """The answer to an origin that used up its invalid tokens."""
    counter = _token_failures()
    return LimitReached(
        _(
            "Too many invalid device tokens came from here: at most %(limit)d are checked in "
            "%(window)d seconds. No token from here is checked for the next %(seconds)d seconds."
        )
        % {
            "limit": settings.SENSORS_TOKEN_FAILURE_LIMIT,
            "window": counter.seconds,
            "seconds": counter.window(now.timestamp()).retry_after,
        },
        code=SensorError.TOO_MANY_INVALID_TOKENS,
        retry_after=counter.window(now.timestamp()).retry_after,
    )


def token_failures_counts(origins: Iterable[str], *, now: dt.datetime) -> dict[str, int]:
    """How many invalid tokens each origin sent in the current window (empty with no limit)."""
    if token_failures_limit() is None:
        return {}
    return _token_failures().counts(origins, now=now.timestamp())


def token_failures_add(failures: dict[str, int], *, now: dt.datetime) -> None:
    """Count invalid tokens from these origins."""
    if token_failures_limit() is None:
        return
    counter = _token_failures()
    for origin, count in failures.items():
        counter.add(origin, count, now=now.timestamp())


def token_failures_check(*, origin: str, now: dt.datetime) -> None:
    """Raise `LimitReached` if `origin` may not have a token looked up just now."""
    limit = token_failures_limit()
    if limit is not None and token_failures_counts([origin], now=now).get(origin, 0) >= limit:
        raise token_failures_refusal(now=now)


# --- Both, for a group commit -------------------------------------------------------------------


class GroupLimits:
    """The limits of one group commit (`groups.sends_commit`), with its queries made once.

    Made before the tokens are looked up: it reads the invalid-token counts of every origin in
    the group, so that a blocked origin's tokens are left out of the lookup. `lock` then takes
    the locks of the devices whose tokens hold and reads their windows; `windows_save` and
    `failures_save` write the windows and the invalid tokens counted.
    """

    def __init__(self, *, origins: Iterable[str | None], now: dt.datetime) -> None:
        self.now = now
        self.readings = readings_limit()
        self.token_failures = token_failures_limit()
        self.failures_before = token_failures_counts(
            {origin for origin in origins if origin is not None}, now=now
        )
        self.failures: dict[str, int] = {}
        self.windows: dict[int, Window] = {}
        self.locked = False

    def blocked(self, origin: str | None) -> LimitReached | None:
        """The refusal for an origin that used up its invalid tokens, if it has."""
        if origin is None or self.token_failures is None:
            return None
        sent = self.failures_before.get(origin, 0) + self.failures.get(origin, 0)
        return token_failures_refusal(now=self.now) if sent >= self.token_failures else None

    def token_failed(self, origin: str | None) -> None:
        if origin is not None and self.token_failures is not None:
            self.failures[origin] = self.failures.get(origin, 0) + 1

    def lock(self, device_ids: Collection[int]) -> None:
        """Lock these devices until the transaction ends and read their windows (if limited)."""
        if self.readings is None or not device_ids:
            return
        devices_lock(device_ids)
        self.windows = device_windows_read(device_ids)
        self.locked = True

    def take(self, device_id: int, count: int) -> LimitReached | None:
        """Count `count` readings of a device locked by `lock`, or the refusal."""
        window = self.windows.get(device_id)
        if self.readings is None or window is None:
            return None
        return device_readings_take(window, count=count, now=self.now, limit=self.readings)

    def failures_save(self) -> None:
        """Count the invalid tokens of the group; once per group, since the counts are not rolled
        back with the transaction."""
        token_failures_add(self.failures, now=self.now)

    def windows_save(self, *, seen: Collection[int] = ()) -> dict[int, tuple[dt.datetime, int]]:
        """Write the windows of devices not in `seen`; returns those of `seen`, for
        `processing.readings_process` to write with their last-seen times (one update of each
        device's row per group, not two). Changes nothing in memory, so it may be called again
        after a rollback to a savepoint."""
        device_windows_write({pk: window for pk, window in self.windows.items() if pk not in seen})
        return {
            pk: (window.minute, window.count)
            for pk, window in self.windows.items()
            if pk in seen and window.changed and window.minute is not None
        }
