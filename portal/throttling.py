"""How often API clients may call: per address for anonymous callers, per account for people.

Past the rate the API answers 429 in its error shape (`throttled`), with Retry-After saying in
how many seconds to try again. Rates are settings (API_THROTTLE_ANONYMOUS, API_THROTTLE_USER),
read at each request so that tests can change them. Devices, which authenticate with a token of
their own, are limited by the ingest rather than here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.limits import request_address

if TYPE_CHECKING:
    # DRF's settings import this module while rest_framework.views is still being imported.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class AnonymousThrottle(SimpleRateThrottle):
    """Callers with no credential at all, counted by client address."""

    scope = "anonymous"

    def get_rate(self) -> str | None:
        rate: str | None = settings.API_THROTTLE_ANONYMOUS
        return rate

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user.is_authenticated or request.auth is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request: Request) -> str:
        # The one way the portal finds a client's address (the ingest's limits use it too).
        return request_address(request)


class UserThrottle(SimpleRateThrottle):
    """Logged-in people, counted by account wherever they call from."""

    scope = "user"

    def get_rate(self) -> str | None:
        rate: str | None = settings.API_THROTTLE_USER
        return rate

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


THROTTLED_RESPONSE = {
    "description": "Too many requests: the caller's rate was used up. Retry after the number "
    "of seconds in the Retry-After header.",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["status", "code", "message"],
                        "properties": {
                            "status": {"type": "integer", "enum": [429]},
                            "code": {"type": "string", "enum": ["throttled"]},
                            "message": {"type": "string"},
                        },
                    }
                },
            }
        }
    },
}


def document_throttled_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: every operation may answer 429 (an operation's own 429 stays)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options"}:
                operation.setdefault("responses", {}).setdefault("429", THROTTLED_RESPONSE)
    return result
