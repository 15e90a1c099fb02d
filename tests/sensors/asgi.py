"""Requests to the portal's ASGI application, as a server hands them over, for the tests."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import async_to_sync

if TYPE_CHECKING:
    from asgiref.typing import HTTPScope

URL = "/api/sensors/readings"


class Answered:
    """An answer from the ASGI application, read like the test client's responses."""

    def __init__(self, status: int, headers: dict[bytes, bytes], body: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def http_scope(
    token: str | None,
    data: bytes,
    *,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    path: str = URL,
    client: str = "127.0.0.1",
) -> HTTPScope:
    """The scope of a request, with a device's token and a JSON body of `data`."""
    sent = {"authorization": f"Token {token}"} if token else {}
    sent = {
        "host": "testserver",
        "content-type": "application/json",
        "content-length": str(len(data)),
        **sent,
        **(headers or {}),
    }
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(name.encode(), value.encode()) for name, value in sent.items()],
        "client": (client, 50000),
        "server": ("testserver", 80),
    }
    return cast("HTTPScope", scope)


async def asgi_request(
    token: str | None,
    data: bytes,
    *,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    path: str = URL,
    client: str = "127.0.0.1",
) -> Answered:
    """A request to the portal's ASGI application, as a server would hand it over."""
    from portal.asgi import application

    scope = http_scope(token, data, headers=headers, method=method, path=path, client=client)
    incoming = [{"type": "http.request", "body": data, "more_body": False}]
    outgoing: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        # The client stays connected until it has its answer; Django's handler, which listens
        # for a disconnect meanwhile, would otherwise drop the response.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        outgoing.append(message)

    await application(scope, receive, send)
    start = outgoing[0]
    body = b"".join(message.get("body", b"") for message in outgoing[1:])
    return Answered(start["status"], dict(start["headers"]), body)


asgi_post = async_to_sync(asgi_request)
