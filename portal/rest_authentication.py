"""How people authenticate to the API: Django's session, as the site's pages use it.

Kept apart from `portal.rest` because DRF's settings import it while `rest_framework.views` is
still being imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.shortcuts import resolve_url
from rest_framework import authentication

if TYPE_CHECKING:
    from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """The site's session cookie, with a challenge so that a caller without one hears 401.

    DRF answers 401 rather than 403 only when the first authentication class names a scheme
    for `WWW-Authenticate`; the `Cookie` scheme says which cookie to bring and where to get it.
    """

    def authenticate_header(self, request: Request) -> str:
        return (
            f'Cookie realm="api", form-action="{resolve_url(settings.LOGIN_URL)}", '
            f'cookie-name="{settings.SESSION_COOKIE_NAME}"'
        )
