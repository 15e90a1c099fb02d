"""Pages of the portal app: signing up, verifying an e-mail address, the admin's second factor."""

from __future__ import annotations

from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import services
from portal.forms import OneTimeCodeForm, SignUpForm
from portal.http import AuthenticatedHttpRequest
from portal.limits import LimitReached, request_address
from portal.two_factor import is_verified


def _safe_next(request: HttpRequest) -> str:
    """The `next` address of the request if it stays on this site, as login checks it; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url) if next_url else redirect("home")
    # Set by the pages of pilots with an age limit, which a citizen can join only with it.
    birth_date_needed = (request.POST or request.GET).get("needs") == "birth_date"
    form = SignUpForm(
        request.POST or None,
        birth_date_needed=birth_date_needed,
        # The language the visitor reads the form in is the one to keep after signing up.
        initial={"preferred_language": get_language()},
    )
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            preferred_language=form.cleaned_data["preferred_language"],
            home_district=form.cleaned_data["home_district"],
            birth_date=form.cleaned_data["birth_date"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _(
                "Welcome to the Living Lab Portal. We sent a link to %(email)s: follow it to "
                "confirm your address before you join a pilot."
            )
            % {"email": user.email},
        )
        response = HttpResponseRedirect(next_url) if next_url else redirect("home")
        # The site speaks the language the citizen chose from their next page on.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language)
        return response
    context = {"form": form, "next": next_url, "birth_date_needed": birth_date_needed}
    return render(request, "registration/signup.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused (429) past the e-mails allowed per account and address."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        try:
            services.account_email_count(
                kind=services.AccountEmail.PASSWORD_RESET,
                account=form.cleaned_data["email"],
                address=request_address(self.request),
            )
        except LimitReached as limit:
            form.add_error(None, limit)
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(limit.retry_after)
            return response
        return super().form_valid(form)


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed at sign-up: following it proves the person reads that address."""
    try:
        user = services.email_verify(token=token)
    except ValidationError as error:
        context = {"errors": error.messages}
        return render(request, "registration/verify_email_failed.html", context, status=400)
    messages.success(
        request,
        _("Thank you: %(email)s is confirmed. You can now join pilots.") % {"email": user.email},
    )
    return redirect("my-living-lab" if request.user.is_authenticated else "login")


@login_required
@require_POST
def verify_email_send(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mail the verification link again, from My living lab or a pilot's join page."""
    user = request.user
    if user.has_verified_email:
        messages.info(request, _("Your e-mail address is already confirmed."))
    else:
        try:
            services.email_verification_send(user=user, address=request_address(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("We sent a new link to %(email)s. It is valid for %(days)d days.")
                % {"email": user.email, "days": settings.EMAIL_VERIFICATION_DAYS},
            )
    next_url = _safe_next(request)
    return HttpResponseRedirect(next_url) if next_url else redirect("my-living-lab")


def _staff_only(request: AuthenticatedHttpRequest) -> None:
    # Only the admin asks for a second factor, and only staff get into the admin.
    if not request.user.is_staff:
        raise PermissionDenied


def _after_second_factor(request: HttpRequest) -> str:
    return _safe_next(request) or reverse("admin:index")


def _qr_code_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: bytes = image.to_string()
    return svg.decode("utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, type the code the app then shows.

    Someone who already has a device must give a code from it first: a stolen password alone
    must not be enough to add an attacker's app.
    """
    _staff_only(request)
    user = request.user
    if user_has_device(user) and not is_verified(user):
        return redirect(f"{reverse('two-factor-verify')}?{request.GET.urlencode()}")
    device = services.totp_device_start(user=user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(device=device, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error)
        else:
            confirmed = TOTPDevice.objects.get(pk=device.pk)
            django_otp.login(request, confirmed)
            shown = {"codes": codes, "next": _after_second_factor(request)}
            return render(request, "registration/two_factor_backup_codes.html", shown)
    context: dict[str, object] = {
        "form": form,
        # Server-drawn SVG from our own data, safe to put in the page as it is.
        "qr_code": mark_safe(_qr_code_svg(device.config_url)),  # noqa: S308
        # For apps that cannot scan: the key the QR code holds, in base32 as they expect it.
        "secret": b32encode(device.bin_key).decode("ascii"),
        "next": _safe_next(request),
    }
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The admin's second step: a code from the authenticator app, or a backup code."""
    _staff_only(request)
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('two-factor-setup')}?{request.GET.urlencode()}")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error)
        else:
            django_otp.login(request, device)
            return HttpResponseRedirect(_after_second_factor(request))
    context = {"form": form, "next": _safe_next(request)}
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_verify.html", context, status=status)
