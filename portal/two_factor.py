"""Two-factor authentication for the admin: after the password, a one-time code.

Staff, pilot managers and reviewers (everyone the admin lets in) confirm a code from an
authenticator app, or one of their single-use backup codes, once per session before any admin
page opens. Someone with no device yet is sent to set one up first. Django's own login stays as
it is, so that the site's pages, which need no second factor, work for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device


def is_verified(user: object) -> bool:
    """Whether a one-time code was given this session (django-otp's middleware adds the check)."""
    verified: Callable[[], bool] | None = getattr(user, "is_verified", None)
    return verified is not None and verified()


def second_factor_missing(user: Any) -> bool:
    """Whether `user` may enter the admin but has not given a code this session.

    Asked by the admin (below) and by the API's operations that only managers may call, so that
    a password alone opens neither.
    """
    return bool(
        settings.ADMIN_TWO_FACTOR
        and user.is_authenticated
        and user.is_staff
        and not is_verified(user)
    )


def needs_second_factor(request: HttpRequest) -> bool:
    """Whether this request's user may enter the admin but has not given a code this session."""
    return second_factor_missing(request.user)


class AdminTwoFactorMiddleware:
    """Sends staff who have not given a one-time code this session to that step, then back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            path.startswith(reverse("admin:index"))
            # Logging out, or in as someone else, needs no code.
            and path not in {reverse("admin:logout"), reverse("admin:login")}
            and needs_second_factor(request)
        ):
            step = "two-factor-verify" if user_has_device(request.user) else "two-factor-setup"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(step)}?{query}")
        return self.get_response(request)
