"""`POST /api/sensors/readings` served straight from ASGI, ahead of Django's handler.

Devices post small batches thousands of times a second. Django's middleware (sessions, CSRF,
messages, templates' context) and DRF's negotiation cost more than the request itself and do
nothing for a device, so the ASGI application (`portal.asgi`) hands this one path to
`application` below, which keeps the endpoint's whole contract (`sensors.api_ingest`, where the
DRF view documents it in the OpenAPI schema and serves it under WSGI): the same URL, the same
token, the same answers and status codes, the same error shape, in the device's language.

Each request is read and parsed (orjson) in the event loop, then handed to this process's
group committer, which stores the requests that arrive while its previous transaction commits
all together (`sensors.services.groups.sends_commit`: tokens, readings, rollups and alerts in one
transaction) and answers each request once that transaction has committed. A 202 thus means the
readings are stored, rolled up and checked for alerts, not merely queued.

Requests this path does not serve exactly as Django would (another method, a host not in
ALLOWED_HOSTS, plain HTTP where HTTPS is required) go to Django, which answers them as before.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import orjson
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions

from portal.limits import client_address
from portal.rest import DATABASE_AWAY, error_body
from portal.storable import json_storable
from sensors.errors import SensorError
from sensors.ingest import BodyError, parse_body
from sensors.services.groups import Answer, Send, sends_commit

if TYPE_CHECKING:
    from asgiref.typing import (
        ASGIReceiveCallable,
        ASGISendCallable,
        HTTPResponseBodyEvent,
        HTTPResponseStartEvent,
        HTTPScope,
        Scope,
    )

logger = logging.getLogger(__name__)

PATH = "/api/sensors/readings"
KEYWORD = b"token"
# Requests committed in one transaction at most; more wait for the next one.
MAX_GROUP = 2_000


def handles(scope: Scope) -> bool:
    """Whether this path serves the request; everything else goes to Django."""
    if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
        return False
    headers = dict(scope["headers"])
    if settings.SECURE_SSL_REDIRECT and not _is_secure(scope, headers):
        return False
    host = headers.get(b"host", b"").decode("latin-1")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, _allowed_hosts())


def _allowed_hosts() -> list[str]:
    # As Django's HttpRequest.get_host: a DEBUG server with no list allows the local names.
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return list(settings.ALLOWED_HOSTS)


def _is_secure(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    if scope.get("scheme") == "https":
        return True
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if not proxy:
        return False
    name, value = proxy
    header = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
    return headers.get(header, b"").decode("latin-1").split(",")[0].strip() == value


def _language(accept: bytes) -> str:
    """The answer's language, from Accept-Language, as Django's LocaleMiddleware picks it."""
    for code, _quality in parse_accept_lang_header(accept.decode("latin-1")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


class GroupCommitter:
    """This process's group commit: requests wait together while the previous group commits.

    There is no timer: the first request after a quiet spell is committed at once, and those
    that arrive while a transaction runs make up the next group, so groups grow with the load.
    One transaction runs at a time, in the thread that Django's database code runs in.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: list[tuple[Send, asyncio.Future[Answer]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def submit(self, send: Send) -> Answer:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (a restarted server, or a test): nothing of the old one carries.
            self._loop, self._waiting, self._flushing = loop, [], None
        future: asyncio.Future[Answer] = loop.create_future()
        self._waiting.append((send, future))
        if self._flushing is None:
            self._flushing = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
                answers = await self._commit([send for send, _future in group])
                for (_send, future), answer in zip(group, answers, strict=True):
                    # A client that hung up has cancelled its future; its readings are stored.
                    if not future.done():
                        future.set_result(answer)
        finally:
            self._flushing = None

    async def _commit(self, sends: list[Send]) -> list[Answer]:
        try:
            return await sync_to_async(_commit, thread_sensitive=True)(sends)
        except DATABASE_AWAY:
            # As every API endpoint answers (`portal.rest`); other database errors are faults.
            logger.exception("Could not store %d requests' readings", len(sends))
            return [_failure(send, 503) for send in sends]
        except Exception:
            if len(sends) > 1:
                # One request that trips a bug must not fail the others with it.
                return [answer for send in sends for answer in await self._commit([send])]
            logger.exception("Could not handle a request's readings")
            return [_failure(sends[0], 500)]


def _commit(sends: list[Send]) -> list[Answer]:
    try:
        return sends_commit(sends=sends)
    finally:
        # As at the end of a Django request: give back a connection that is broken or past its
        # age. Inside an outer transaction (a test's) the connection is not ours to close.
        if not connection.in_atomic_block:
            close_old_connections()


def _failure(send: Send, status: int) -> Answer:
    """503 when the database could not take the group, 500 when this send tripped a bug; in the
    sender's language, whichever request's context the group runs in."""
    with translation.override(send.language):
        if status == 503:
            code = SensorError.UNAVAILABLE
            message = _("The readings could not be stored just now; send them again.")
        else:
            code = SensorError.INTERNAL_ERROR
            message = _("The readings could not be handled; they were not stored.")
    retry_after = settings.DATABASE_RETRY_AFTER if status == 503 else None
    return Answer(status, error_body(status=status, code=code, message=message), retry_after)


committer = GroupCommitter()


def _refused(status: int, code: str, message: str) -> Answer:
    return Answer(status, error_body(status=status, code=code, message=message))


def _token(authorization: bytes) -> str | Answer:
    """The token of an `Authorization: Token <token>` header, or the refusal DRF would answer."""
    parts = authorization.split()
    if not parts or parts[0].lower() != KEYWORD:
        detail = exceptions.NotAuthenticated.default_detail
        return _refused(401, exceptions.NotAuthenticated.default_code, str(detail))
    if len(parts) != 2:
        message = _("The Authorization header must be 'Token <device token>'.")
        return _refused(401, exceptions.AuthenticationFailed.default_code, message)
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        message = _("The device token is not valid.")
        return _refused(401, exceptions.AuthenticationFailed.default_code, message)


def _too_large(limit: int) -> BodyError:
    return BodyError(
        status=413,
        code=SensorError.BODY_TOO_LARGE,
        message=_("The body is larger than %(limit)d bytes.") % {"limit": limit},
    )


class ClientGone(Exception):
    """The client hung up before its whole body arrived; there is no one to answer."""


async def _body(receive: ASGIReceiveCallable, limit: int) -> bytes | None:
    """The request body, or None when it runs past `limit` (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def application(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    """The endpoint; `handles(scope)` must hold."""
    http_scope: HTTPScope = scope  # type: ignore[assignment]
    headers = dict(http_scope["headers"])
    language = _language(headers.get(b"accept-language", b""))
    client = http_scope.get("client")
    forwarded = headers.get(b"x-forwarded-for")
    origin = client_address(
        remote=client[0] if client else "",
        forwarded_for=forwarded.decode("latin-1") if forwarded is not None else None,
    )
    try:
        with translation.override(language):
            answer = await _answer(headers, receive, origin)
    except ClientGone:
        return
    body = orjson.dumps(answer.body)
    response_headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()),
        (b"vary", b"Accept-Language"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if answer.status == 401:
        response_headers.append((b"www-authenticate", b"Token"))
    if answer.retry_after is not None:
        response_headers.append((b"retry-after", str(answer.retry_after).encode()))
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": answer.status,
        "headers": response_headers,
        "trailers": False,
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


async def _answer(headers: dict[bytes, bytes], receive: ASGIReceiveCallable, origin: str) -> Answer:
    token = _token(headers.get(b"authorization", b""))
    if isinstance(token, Answer):
        return token
    max_bytes: int = settings.SENSORS_MAX_BODY_BYTES
    try:
        declared = int(headers.get(b"content-length", b"0") or 0)
    except ValueError:
        declared = 0
    # As in the DRF view, the token is judged before the body, so a body that is too large
    # is refused as such only to a device whose token holds.
    raw = None if declared > max_bytes else await _body(receive, max_bytes)
    if raw is None:
        return await committer.submit(
            Send(
                token=token,
                items=[],
                refused=_too_large(max_bytes),
                language=_active(),
                origin=origin,
            )
        )
    try:
        items = parse_body(raw, max_bytes=max_bytes, max_readings=settings.SENSORS_MAX_BATCH)
    except BodyError as error:
        return await committer.submit(
            Send(token=token, items=[], refused=error, language=_active(), origin=origin)
        )
    return await committer.submit(
        Send(
            token=token,
            items=items,
            language=_active(),
            origin=origin,
            storable=json_storable(raw),
        )
    )


def _active() -> str | None:
    return translation.get_language()
