"""State changes of the portal app: accounts, their verification and second factor, roles."""

from __future__ import annotations

import datetime as dt
import enum
import math
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.cache import Scope, cache_version_bump
from portal.errors import PortalError
from portal.geo import seoul_districts
from portal.limits import CacheCounter, LimitReached
from portal.models import District, User
from portal.roles import ADMIN_ROLES, Role

VERIFICATION_SALT = "portal.email-verification"
BACKUP_DEVICE_NAME = "backup codes"
BACKUP_CODE_COUNT = 10


@transaction.atomic
def user_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    preferred_language: str = User.Language.KOREAN,
    home_district: District | None = None,
    birth_date: dt.date | None = None,
) -> User:
    """Create a citizen account. The caller has validated the password and username."""
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        preferred_language=preferred_language,
        home_district=home_district,
        birth_date=birth_date,
    )
    user_assign_role(user=user, role=Role.CITIZEN)
    _verification_mail_send(user)
    return user


def email_verification_link(user: User) -> str:
    """A signed link that proves, when followed, that `user` reads mail sent to their address."""
    token = signing.dumps({"user": user.pk, "email": user.email.lower()}, salt=VERIFICATION_SALT)
    return settings.SITE_URL + reverse("verify-email", args=[token])


def _verification_mail_send(user: User) -> None:
    link = email_verification_link(user)
    context = {"user": user, "link": link, "days": settings.EMAIL_VERIFICATION_DAYS}
    with translation.override(user.preferred_language):
        subject = render_to_string("registration/verify_email_subject.txt", context).strip()
        body = render_to_string("registration/verify_email.txt", context)
    cache.set(_resend_key(user), True, settings.EMAIL_VERIFICATION_RESEND_SECONDS)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def _resend_key(user: User) -> str:
    return f"portal:verification-sent:{user.pk}"


@transaction.atomic
def email_verification_send(*, user: User, address: str) -> None:
    """Mail `user` a new verification link, unless one went out moments ago or the account or
    the client's `address` asked for too many (`account_email_count`).

    The caller guarantees that `user` is logged in: the link goes to the address on the account.
    """
    if cache.get(_resend_key(user)):
        raise ValidationError(
            _("A verification e-mail was sent moments ago. Check your inbox (and spam folder)."),
            code=PortalError.VERIFICATION_TOO_SOON,
        )
    account_email_count(kind=AccountEmail.VERIFICATION, account=f"user:{user.pk}", address=address)
    _verification_mail_send(user)


class AccountEmail(enum.StrEnum):
    """The e-mails anyone may have the portal send, each limited on its own."""

    PASSWORD_RESET = "password-reset"  # noqa: S105 - a kind of e-mail, not a secret.
    VERIFICATION = "verification"

    @property
    def plural(self) -> str:
        if self is AccountEmail.PASSWORD_RESET:
            return _("password-reset e-mails")
        return _("verification e-mails")


def account_email_count(*, kind: AccountEmail, account: str, address: str) -> None:
    """Count one e-mail of `kind` for `account` and the client `address`, or raise LimitReached.

    `account` is whatever names the recipient: for a password reset the address typed in,
    whether or not an account has it, so that the answer tells nothing about who has one.
    Without the limits, one could fill a person's inbox from the portal, or send its mail
    from many accounts until the mail provider takes the portal for a spammer.
    """
    seconds = settings.ACCOUNT_EMAIL_WINDOW_MINUTES * 60
    now = time.time()
    checks = [
        (
            CacheCounter(f"emails-{kind}-account", seconds),
            account.strip().lower(),
            settings.ACCOUNT_EMAILS_PER_ACCOUNT,
            _(
                "Too many %(what)s were asked for this account: at most %(limit)d in "
                "%(window)d minutes. Try again in %(wait)d minutes."
            ),
        ),
        (
            CacheCounter(f"emails-{kind}-address", seconds),
            address,
            settings.ACCOUNT_EMAILS_PER_ADDRESS,
            _(
                "Too many %(what)s were asked from your network address: at most %(limit)d in "
                "%(window)d minutes. Try again in %(wait)d minutes."
            ),
        ),
    ]
    limited = [check for check in checks if check[2]]
    for counter, who, limit, message in limited:
        if counter.counts([who], now=now)[who] >= limit:
            retry_after = counter.window(now).retry_after
            raise LimitReached(
                message
                % {
                    "what": kind.plural,
                    "limit": limit,
                    "window": settings.ACCOUNT_EMAIL_WINDOW_MINUTES,
                    "wait": math.ceil(retry_after / 60),
                },
                code=PortalError.TOO_MANY_EMAILS,
                retry_after=retry_after,
            )
    for counter, who, _limit, _message in limited:
        counter.add(who, now=now)


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Mark the address a verification link was made for as verified; returns its account.

    Refused when the link is forged, older than EMAIL_VERIFICATION_DAYS, or made for an address
    the account no longer has.
    """
    invalid = ValidationError(
        _("This verification link is not valid. Ask for a new one on your My living lab page."),
        code=PortalError.VERIFICATION_LINK_INVALID,
    )
    try:
        signed = signing.loads(
            token,
            salt=VERIFICATION_SALT,
            max_age=settings.EMAIL_VERIFICATION_DAYS * 24 * 3600,
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _("This verification link has expired. Ask for a new one on your My living lab page."),
            code=PortalError.VERIFICATION_LINK_EXPIRED,
        ) from None
    except signing.BadSignature:
        raise invalid from None
    user = User.objects.select_for_update().filter(pk=signed.get("user")).first()
    if user is None or user.email.lower() != signed.get("email"):
        raise invalid
    user.verified_email = user.email
    user.save(update_fields=["verified_email"])
    return user


@transaction.atomic
def user_assign_role(*, user: User, role: Role) -> None:
    """Put the user in the role's group; managers and staff also get into the admin site."""
    user.groups.add(Group.objects.get(name=str(role)))
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def districts_sync_seoul() -> int:
    """Create or update Seoul's 25 districts from the committed boundaries; returns the count."""
    for fields in seoul_districts():
        District.objects.update_or_create(code=fields.pop("code"), defaults=fields)
    cache_version_bump(Scope.DISTRICTS)
    return District.objects.count()


def two_factor_devices(user: User) -> list[Device]:
    """The confirmed devices that may give `user` a one-time code."""
    return list(devices_for_user(user, confirmed=True))


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator app `user` is setting up: a new secret, not usable until confirmed."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator app"}
    )
    return device


def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the app with a code it shows; returns a fresh set of single-use backup codes.

    The caller guarantees that `device` is the logged-in person's own, still unconfirmed. Not
    atomic as a whole: a wrong code must keep the slow-down it earns (see two_factor_verify).
    """
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        confirmed = locked.verify_token(token.strip())
    if not confirmed:
        raise ValidationError(
            _("That code is not the one the app shows now. Try the next one."),
            code=PortalError.TWO_FACTOR_CODE_WRONG,
        )
    with transaction.atomic():
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        return backup_codes_issue(user=locked.user)


@transaction.atomic
def backup_codes_issue(*, user: User, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace `user`'s backup codes with `count` new ones, each good for one login."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME)
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, user: User, token: str) -> Device:
    """The device whose one-time code `token` is: an app's current code or a backup code.

    Each device slows guessing down on its own (django-otp doubles the wait after each miss).
    The misses are written in a transaction of their own, which the refusal does not undo.
    """
    with transaction.atomic():
        matched = next(
            (
                device
                for device in devices_for_user(user, confirmed=True, for_verify=True)
                if device.verify_token(token.strip())
            ),
            None,
        )
    if matched is None:
        raise ValidationError(
            _(
                "That code is not right, or came too soon after a wrong one. Wait a moment and "
                "try again."
            ),
            code=PortalError.TWO_FACTOR_CODE_WRONG,
        )
    return matched
