"""Who may open a WebSocket to the portal."""

from __future__ import annotations

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings


class SiteOrBrowserlessOriginValidator(OriginValidator):
    """Refuse WebSockets opened by other sites' pages; let clients that are not browsers in.

    Browsers always send Origin with a WebSocket handshake, so a page on another site cannot hide
    it and ride on a citizen's session cookie. Devices, scripts and other cities' software send
    none, and the open feeds are for them too; private feeds still check who is asking.
    """

    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return bool(self.validate_origin(parsed_origin))


def site_origin_validator(application: Any) -> SiteOrBrowserlessOriginValidator:
    """Wrap `application`, allowing the origins of ALLOWED_HOSTS as Channels does."""
    return SiteOrBrowserlessOriginValidator(application, settings.ALLOWED_HOSTS)
