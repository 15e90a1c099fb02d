"""Rate limits outside DRF's throttles: who is asking, how often they asked, and the refusal.

The client's address is found one way everywhere (`client_address`): the API's throttles, the
device ingest (under ASGI, where there is no Django request, and under WSGI) and the account
e-mails. django-axes finds it through the same setting (`TRUSTED_PROXY_COUNT`).

Counts live in the cache (Redis in production, shared by every process) in fixed windows: a
window of `seconds` starts at each multiple of `seconds` since the epoch, and a caller refused is
told to come back when the current one ends.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def client_address(*, remote: str, forwarded_for: str | None) -> str:
    """The client's address, as DRF's throttles find it with NUM_PROXIES.

    Each of the `TRUSTED_PROXY_COUNT` proxies in front of the portal appends the address it saw
    to X-Forwarded-For, so the client is that many entries from the end; entries before them
    are whatever the client wrote. With no trusted proxy the header is ignored.
    """
    count: int = settings.TRUSTED_PROXY_COUNT
    if not count or not forwarded_for:
        return remote
    entries = forwarded_for.split(",")
    return entries[-min(count, len(entries))].strip()


def request_address(request: HttpRequest) -> str:
    return client_address(
        remote=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
    )


class LimitReached(ValidationError):
    """A limit was reached; `retry_after` is the number of seconds until it lets the caller in.

    The API answers it with 429 and a Retry-After header (`portal.rest.exception_handler`).
    """

    def __init__(self, message: str, *, code: str, retry_after: int) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Window:
    """One fixed window of a counter: which one holds `now`, its cache key and time left."""

    index: int
    retry_after: int


@dataclass(frozen=True)
class CacheCounter:
    """Counts per key (an address, an account...) in fixed windows of `seconds`, in the cache."""

    name: str
    seconds: int

    def window(self, now: float) -> Window:
        index = int(now // self.seconds)
        return Window(index, max(1, math.ceil((index + 1) * self.seconds - now)))

    def _key(self, who: str, index: int) -> str:
        # Hashed: the keys' text (an e-mail address, an IPv6 address) need not suit the cache.
        digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"limits:{self.name}:{digest}:{index}"

    def counts(self, whos: Iterable[str], *, now: float) -> dict[str, int]:
        """The count of each of `whos` in the current window, in one round trip."""
        index = self.window(now).index
        keys = {self._key(who, index): who for who in set(whos)}
        if not keys:
            return {}
        found = cache.get_many(list(keys))
        return {who: int(found.get(key, 0)) for key, who in keys.items()}

    def add(self, who: str, amount: int = 1, *, now: float) -> int:
        """Add `amount` to `who`'s count in the current window; returns the new count."""
        key = self._key(who, self.window(now).index)
        # The key outlives its window: it was added inside it, with the window's whole length.
        cache.add(key, 0, timeout=self.seconds)
        try:
            return int(cache.incr(key, amount))
        except ValueError:  # Gone between the two calls (evicted, or the cache restarted).
            cache.add(key, amount, timeout=self.seconds)
            return amount
