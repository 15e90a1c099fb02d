"""Pages and API lists kept in the cache, and the versions that retire them when data change.

On a busy day (a fine-dust alert, say) most of the city opens the same few pages without logging
in: the home page, the pilot list, a pilot's page and the open-data lists. Rendering them anew
for each visitor costs many times what the stack itself costs, so their anonymous versions are
kept whole in the cache, per language, path and query:

- What a page shows is named by scopes (`Scope`); each scope has a version in the cache, and a
  page is kept with the versions it was rendered under. The one service that changes a kind of
  data calls `cache_version_bump(scope)`, which gives the scope a new version once the change
  commits: from then on every page that showed the old data is rendered again before it is
  answered. Versions are random tokens, not counters, so a version evicted and made anew cannot
  bring back an old page. The versions and the page come back in one round trip to the cache,
  and each server process keeps what it read for a quarter of a second (`VERSIONS_CHECKED_EVERY`)
  so that most answers need no round trip at all.
- Live values (a device's newest readings, when it was last seen) change many times a second
  across the city and are not versioned: a page that shows them is kept at most
  `PAGE_CACHE_LIVE_SECONDS` (the live map and device pages stream them instead). Every other page
  is kept at most `PAGE_CACHE_SECONDS`, which also bounds how long a change made outside the
  services (a SQL shell) can go unseen.
- Only anonymous visitors without messages waiting share pages: a logged-in resident's pages show
  their own enrolments and name and are rendered for them. The one thing of a visitor's own in
  an anonymous page, the CSRF token of its forms, is cut out when the page is stored and the
  visitor's own put in its place on every answer, so no token passes from one visitor to another.
- Pages are stored compressed as well, in pieces around the token, so that a gzip answer costs a
  join and a checksum instead of compressing the page again (`GzipBody`).

A cached page must hold nothing else that differs between anonymous visitors of one language:
no nonce, no time of day. The tests in tests/portal/test_cache.py hold the pages to this.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import logging
import re
import secrets
import time
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

P = ParamSpec("P")
M = TypeVar("M", bound=Model)
# A page view: the request, then what the URL holds.
PageView = Callable[Concatenate[HttpRequest, P], HttpResponse]


class Scope(enum.StrEnum):
    """Kinds of data that cached pages show, each retired as a whole when any of it changes."""

    # Pilots and all a pilot page shows of them: phases, texts, districts, consent, rules, the
    # number taking part and waiting, answered questions, evaluation plans and outcomes.
    PILOTS = "pilots"
    # Devices and metrics: names, places, kinds, status, visibility, the pilot they serve.
    DEVICES = "devices"
    # Districts: names and boundaries.
    DISTRICTS = "districts"


_VERSION_PREFIX = "cache-version:"
_PAGE_PREFIX = "page:"

# Each server process keeps the versions it last read, and the pages it last answered, for itself
# too: most answers then need no round trip to the shared cache, whose latency (a Redis busy with
# live feeds and task queues) would otherwise bound every worker's answers a second. It reads the
# versions again at most this many seconds later, so a change made through another process shows
# here within that; one made through this process shows at once.
VERSIONS_CHECKED_EVERY = 0.25
_near = LocMemCache("portal.cache", {"OPTIONS": {"MAX_ENTRIES": 500}})
_near_versions: dict[str, tuple[str, float]] = {}


def _version_key(scope: Scope) -> str:
    return f"{_VERSION_PREFIX}{scope.value}"


def _bump_now(scopes: tuple[Scope, ...]) -> None:
    versions = {_version_key(scope): secrets.token_hex(8) for scope in scopes}
    cache.set_many(versions, timeout=None)
    _remember(versions)


def _remember(versions: dict[str, Any]) -> None:
    now = time.monotonic()
    _near_versions.update({key: (str(value), now) for key, value in versions.items()})


def _recent_versions(keys: list[str]) -> str | None:
    """The versions under `keys` as this process last read them, if it did so lately."""
    stale = time.monotonic() - VERSIONS_CHECKED_EVERY
    known = [_near_versions.get(key) for key in keys]
    if any(entry is None or entry[1] < stale for entry in known):
        return None
    return ".".join(entry[0] for entry in known if entry is not None)


def local_pages_clear() -> None:
    """Forget the pages and versions this process keeps for itself (tests clear the cache)."""
    _near.clear()
    _near_versions.clear()


def cache_version_bump(*scopes: Scope) -> None:
    """Retire every cached page that shows any of `scopes`, once the current transaction commits.

    Called by the service that makes the change, after it wrote it. Outside a transaction the
    pages go at once. A failure to reach the cache is logged, not raised: the change is committed
    by then, and the pages it leaves stale expire with their time to live.
    """
    transaction.on_commit(functools.partial(_bump_now, tuple(scopes)), robust=True)


def _versions(keys: list[str], found: dict[str, Any]) -> str:
    """The versions under `keys` as one string, from what was `found`; missing ones are made."""
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            # `add` keeps a version another process made meanwhile; reading again takes it.
            cache.add(key, secrets.token_hex(8), timeout=None)
        found = {**found, **cache.get_many(missing)}
    _remember({key: found.get(key, "") for key in keys})
    return ".".join(str(found.get(key, "")) for key in keys)


# --- Bodies with the visitor's CSRF token put in on every answer -----------------------------

# A masked CSRF token as the `{% csrf_token %}` tag writes it (Django: 64 letters and digits).
_TOKEN_IN_FORM = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_NONCE = re.compile(rb"<[^>]*\snonce=")


def split_at_token(body: bytes) -> tuple[bytes, ...]:
    """The body in pieces around each place the page's CSRF token is written.

    One render writes one token (the context processor makes it once), in forms and wherever
    else a template put `{{ csrf_token }}`; every occurrence of it is cut out. A page with a
    Content-Security-Policy nonce, which is the answer's own too, cannot be shared.
    """
    if _NONCE.search(body):
        raise ValueError("a page with a nonce cannot be shared")
    found = {match.group(1) for match in _TOKEN_IN_FORM.finditer(body)}
    if not found:
        return (body,)
    if len(found) > 1:
        raise ValueError("a page with more than one CSRF token cannot be shared")
    return tuple(body.split(found.pop()))


@dataclass(frozen=True)
class PlainBody:
    """A page's bytes, in pieces to be joined by the visitor's CSRF token."""

    parts: tuple[bytes, ...]

    @property
    def holes(self) -> int:
        return len(self.parts) - 1

    def fill(self, token: bytes) -> bytes:
        return token.join(self.parts)


# zlib's CRC-32 polynomial, reflected, and x^(2^k) modulo it: what combining checksums needs
# (zlib's crc32_combine, which Python's zlib module does not offer).
_CRC_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial, in zlib's reflected bit order."""
    product, bit = 0, 1 << 31
    while bit:
        if a & bit:
            product ^= b
            if not a & (bit - 1):
                break
        bit >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    powers = [1 << 30]  # x^1
    for _ in range(31):
        powers.append(_multmodp(powers[-1], powers[-1]))
    return powers


_X_TO_2_TO_K = _powers()


def crc32_shift(length: int) -> int:
    """The factor that moves a CRC-32 past `length` more bytes, for `crc32_combine`."""
    product, exponent = 1 << 31, 3  # x^0, and 8 bits to a byte
    while length:
        if length & 1:
            product = _multmodp(_X_TO_2_TO_K[exponent & 31], product)
        length >>= 1
        exponent += 1
    return product


def crc32_combine(first: int, second: int, shift: int) -> int:
    """The CRC-32 of A + B from that of A, that of B and `crc32_shift(len(B))`."""
    return _multmodp(shift, first) ^ second


def _stored_block(data: bytes) -> bytes:
    """`data` as a deflate block kept as it is (not the last), at a byte boundary."""
    length = len(data)
    return b"\x00" + length.to_bytes(2, "little") + (length ^ 0xFFFF).to_bytes(2, "little") + data


@dataclass(frozen=True)
class GzipBody:
    """A page compressed once, in pieces between which the visitor's CSRF token goes.

    Each piece is a deflate stream of its own that ends at a byte boundary (sync flush), so the
    pieces and the token, kept as a stored block, make one valid stream in any order of tokens;
    the gzip trailer's CRC-32 is combined from the pieces' checksums and the token's. As Django's
    GZipMiddleware does against BREACH, every answer carries a file name of random length.
    """

    segments: tuple[bytes, ...]
    checksums: tuple[int, ...]
    shifts: tuple[int, ...]
    size: int

    @property
    def holes(self) -> int:
        return len(self.segments) - 1

    @classmethod
    def compress(cls, parts: tuple[bytes, ...]) -> GzipBody:
        segments = []
        for number, part in enumerate(parts):
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            last = number == len(parts) - 1
            segments.append(
                compressor.compress(part)
                + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
            )
        return cls(
            segments=tuple(segments),
            checksums=tuple(zlib.crc32(part) for part in parts),
            shifts=tuple(crc32_shift(len(part)) for part in parts),
            size=sum(len(part) for part in parts),
        )

    def fill(self, token: bytes) -> bytes:
        name = b"a" * secrets.randbelow(100) + b"\x00"
        header = b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + name
        pieces = [header, self.segments[0]]
        checksum = self.checksums[0]
        for segment, part_checksum, shift in zip(
            self.segments[1:], self.checksums[1:], self.shifts[1:], strict=True
        ):
            pieces += [_stored_block(token), segment]
            checksum = zlib.crc32(token, checksum)
            checksum = crc32_combine(checksum, part_checksum, shift)
        size = self.size + len(token) * (len(self.segments) - 1)
        pieces.append(checksum.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little"))
        return b"".join(pieces)


@dataclass(frozen=True)
class CachedResponse:
    """What is kept of a response: status, the view's own headers and one encoding of its body.

    With the versions of the scopes it was rendered under: a page whose versions are no longer
    the current ones is never answered.
    """

    versions: str
    # When it must be rendered again at the latest (seconds since the epoch).
    expires: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: PlainBody | GzipBody

    def respond(self, request: HttpRequest) -> HttpResponse:
        # Only a page with a form asks for a token, which sets the visitor's CSRF cookie.
        token = get_token(request).encode() if self.body.holes else b""
        response = HttpResponse(self.body.fill(token), status=self.status)
        for name, value in self.headers:
            response[name] = value
        if isinstance(self.body, GzipBody):
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


# Headers that belong to one answer, not to the page.
_NOT_KEPT = frozenset({"content-length", "content-encoding", "set-cookie", "vary"})


def _entries(response: HttpResponse, versions: str, ttl: int) -> dict[str, CachedResponse]:
    parts = split_at_token(response.content)
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT
    )
    kept = (versions, time.time() + ttl, response.status_code, headers)
    return {
        "plain": CachedResponse(*kept, PlainBody(parts)),
        "gzip": CachedResponse(*kept, GzipBody.compress(parts)),
    }


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not response.has_header("Content-Encoding")
    )


def _time_to_live(live: bool) -> int:
    seconds: int = settings.PAGE_CACHE_LIVE_SECONDS if live else settings.PAGE_CACHE_SECONDS
    return seconds


def _page_key(name: str, request: HttpRequest) -> str:
    """The page's key: its view, the language, host, path and query."""
    place = "\n".join(
        [
            request.scheme or "",
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
        ]
    )
    digest = hashlib.sha256(place.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f"{_PAGE_PREFIX}{name}:{get_language()}:{digest}"


def _encoding(request: HttpRequest) -> str:
    return "gzip" if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "plain"


def cached_response(
    request: HttpRequest,
    *,
    name: str,
    scopes: Collection[Scope],
    live: bool,
    render: Callable[[], HttpResponseBase],
) -> HttpResponseBase:
    """The page from the cache, or `render()` stored for the next visitor when it can be.

    The caller has decided that the request may share the page (see `cached_page`).
    """
    ttl = _time_to_live(live)
    if ttl <= 0:
        return render()
    encoding = _encoding(request)
    page = _page_key(name, request)
    key = f"{page}:{encoding}"
    # This process's own copy while the versions it read are recent; else one round trip to the
    # cache for the versions and the page, which answers only if rendered under those versions.
    version_keys = [_version_key(scope) for scope in scopes]
    recent = _recent_versions(version_keys)
    if recent is not None:
        entry = _near.get(key)
        if isinstance(entry, CachedResponse) and entry.versions == recent:
            return entry.respond(request)
    found = cache.get_many([*version_keys, key])
    versions = _versions(version_keys, found)
    entry = found.get(key)
    if isinstance(entry, CachedResponse) and entry.versions == versions:
        _keep_near(key, entry)
        return entry.respond(request)
    response = render()
    if not isinstance(response, HttpResponse) or not _storable(response):
        return response
    try:
        entries = _entries(response, versions, ttl)
    except ValueError as error:
        logger.warning("page %s not cached: %s", name, error)
        return response
    cache.set_many({f"{page}:{kind}": entry for kind, entry in entries.items()}, timeout=ttl)
    _keep_near(key, entries[encoding])
    return entries[encoding].respond(request)


def _keep_near(key: str, entry: CachedResponse) -> None:
    left = entry.expires - time.time()
    if left > 0:
        _near.set(key, entry, timeout=left)


def _shares_pages(request: HttpRequest, query: Collection[str]) -> bool:
    """Whether the request may get the page every anonymous visitor gets."""
    return (
        request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and all(name in query for name in request.GET)
        and not len(messages.get_messages(request))
    )


def cached_page(
    *, scopes: Collection[Scope], live: bool = False, query: Collection[str] = ()
) -> Callable[[PageView[P]], Callable[Concatenate[HttpRequest, P], HttpResponseBase]]:
    """Keep a page's anonymous version in the cache, per language, path and query.

    `scopes` name what the page shows; `live` says it shows live values; `query` lists the
    query parameters the page reads (a request with any other is rendered, not cached, so that
    made-up parameters cannot fill the cache). Logged-in visitors, and anyone with a message
    waiting, get the page rendered for them.
    """

    def decorator(view: PageView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not _shares_pages(request, query):
                return view(request, *args, **kwargs)
            return cached_response(
                request,
                name=f"{view.__module__}.{view.__qualname__}",
                scopes=scopes,
                live=live,
                render=functools.partial(view, request, *args, **kwargs),
            )

        return wrapper

    return decorator


class CachedListMixin(ListModelMixin, GenericAPIView[M]):
    """For the API's public lists: the JSON of a list page kept in the cache for every caller.

    A list that holds nothing of its caller's own (the city's pilots, its public devices) is the
    same bytes for everyone in one language, logged in or not. Authentication, permissions and
    throttles run as for any request; only JSON is kept (the browsable API shows the caller's
    name and a CSRF token). Subclasses name `cache_scopes`, whether the list shows live values
    (`cache_live`) and the query parameters it reads (`cache_query`).
    """

    cache_scopes: ClassVar[tuple[Scope, ...]] = ()
    cache_live: ClassVar[bool] = False
    cache_query: ClassVar[frozenset[str]] = frozenset()

    # Answers a cached list with its stored bytes, not with a Response still to be rendered.
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        respond = functools.partial(super().list, request, *args, **kwargs)
        accepted = {*self.cache_query, api_settings.URL_FORMAT_OVERRIDE or "format"}
        if request.accepted_renderer.format != "json" or any(
            name not in accepted for name in request.query_params
        ):
            return respond()

        def render() -> HttpResponseBase:
            response = self.finalize_response(request, respond(), *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            return response

        return cached_response(
            request._request,
            name=f"{type(self).__module__}.{type(self).__qualname__}.list",
            scopes=self.cache_scopes,
            live=self.cache_live,
            render=render,
        )


class CachedPagesAdmin(ModelAdmin[M]):
    """For the admin of what cached pages show: each save or delete retires those pages.

    The admin changes these models directly, not through a service; its views run in a
    transaction, so the pages go when the whole change (inlines and relations too) commits.
    """

    cache_scopes: ClassVar[tuple[Scope, ...]] = ()

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache_version_bump(*self.cache_scopes)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        cache_version_bump(*self.cache_scopes)

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        super().delete_model(request, obj)
        cache_version_bump(*self.cache_scopes)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        super().delete_queryset(request, queryset)
        cache_version_bump(*self.cache_scopes)
