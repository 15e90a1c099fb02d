"""What a locked-out login gets: its own login page again, saying why and for how long.

django-axes calls `lockout_response` (settings.AXES_LOCKOUT_CALLABLE) when an account or an
address has used up its failed attempts; the right password is refused too until the cool-off
ends or staff unlock it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext

STATUS = 429


def lockout_message() -> str:
    minutes = settings.LOGIN_COOLOFF_MINUTES
    return ngettext(
        "Too many failed attempts to log in. For your safety, logging in to this account or "
        "from this address is paused for %(minutes)d minute, even with the right password. "
        "Try again later, or reset your password.",
        "Too many failed attempts to log in. For your safety, logging in to this account or "
        "from this address is paused for %(minutes)d minutes, even with the right password. "
        "Try again later, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The login page of the site or of the admin, with the lockout message, as 429.

    django-axes passes the original response and the credentials too (in an order that differs
    between its sync and async paths); neither is needed here.
    """
    message = lockout_message()
    if request.path_info.startswith(reverse("admin:index")):
        context = {
            **admin.site.each_context(request),
            "form": AdminAuthenticationForm(request),
            "app_path": request.get_full_path(),
            "next": request.POST.get("next", ""),
            "lockout": message,
        }
        response = render(request, "portal/admin/locked_out.html", context, status=STATUS)
    else:
        context = {
            "form": AuthenticationForm(request),
            "next": request.POST.get("next", ""),
            "lockout": message,
        }
        response = render(request, "registration/login.html", context, status=STATUS)
    response["Retry-After"] = str(settings.LOGIN_COOLOFF_MINUTES * 60)
    return response
