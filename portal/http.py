"""The request of a logged-in user, typed once for every view that requires a login.

`login_required`, the admin's own login and DRF's `IsAuthenticated` turn visitors away before
the view runs, so there `request.user` is an account, never `AnonymousUser`. Views annotate
their request with these classes (as healthchecks' `hc/accounts/http.py` does) instead of
narrowing `request.user` each in its own way.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from portal.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page's request past `login_required` or the admin's login."""

    user: User


class AuthenticatedRequest(Request):
    """An API request past `IsAuthenticated`."""

    user: User


def as_authenticated(request: HttpRequest) -> AuthenticatedHttpRequest:
    """The request, typed as a logged-in user's, where Django's own classes type it as any.

    The admin lets only active staff in, yet calls the hooks a model admin overrides
    (`save_model`, `save_related`, ...) with a plain HttpRequest, and an override may not narrow
    its parameter. This checks what the admin guarantees instead of assuming it.
    """
    if not isinstance(request.user, User):
        raise PermissionDenied
    return cast(AuthenticatedHttpRequest, request)
