"""ASGI entry point: Django for HTTP, Channels consumers for WebSockets.

One HTTP path goes around Django: devices posting readings (`sensors.ingest_asgi`), thousands of
small requests a second that need none of Django's middleware.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.preflight import check_or_exit

# The server stops at once, with one line, if the database, Redis or the broker cannot be used.
check_or_exit(database=True, redis=True, broker=True)

# Django must be set up before the routing imports models through the consumers.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from portal.routing import websocket_urlpatterns  # noqa: E402
from portal.websocket import site_origin_validator  # noqa: E402
from sensors import ingest_asgi  # noqa: E402


async def http_application(scope: Any, receive: Any, send: Any) -> None:
    """Readings from devices to their own endpoint, everything else to Django."""
    if ingest_asgi.handles(scope):
        await ingest_asgi.application(scope, receive, send)
    else:
        await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": site_origin_validator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
