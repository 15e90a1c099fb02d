"""Telling people what happened: an inbox entry and an e-mail, each switched off per kind.

Notices are written inside the caller's transaction and e-mailed only after it commits, so a
rolled-back change never reaches anyone's mailbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy

from portal.celery import enqueue_on_commit
from portal.models import User
from portal.notifications.models import Notification, NotificationOptOut
from portal.notifications.registry import kind_values


def in_readers_language(instance: models.Model, field: str) -> Promise:
    """A translated field of `instance` (a pilot's title, a call's), read as each notice is written.

    `notify` writes each recipient's notice in their language; a title read at once would be in
    the sender's.
    """
    return cast(Promise, lazy(getattr, str)(instance, field))


def notify(
    *,
    users: Iterable[User],
    kind: str,
    about: models.Model | None,
    subject: Promise,
    body: Promise,
    params: Mapping[str, Any] | None = None,
    link: str = "",
) -> list[Notification]:
    """Put a notice in each user's inbox, in their language, unless they switched `kind` off.

    A user who switched off only the e-mails of `kind` gets the inbox entry without the e-mail.

    `kind` must be registered (see `registry`). `subject` and `body` are lazy translations with
    %(name)s placeholders filled from `params`. Give words that have a translation as lazy
    values (a choice's `label`, a `lazy` read of a translated field): each recipient's notice is
    formatted in their language, so they read them in theirs, not in the sender's. E-mails
    follow on commit. Returns the notices.
    """
    if kind not in kind_values():
        raise ValueError(f"Unknown notification kind: {kind!r}")
    recipients = list({user.pk: user for user in users}.values())
    if not recipients:
        return []
    muted = set(
        NotificationOptOut.objects.filter(
            user__in=[user.pk for user in recipients],
            kind=kind,
            channel=NotificationOptOut.Channel.ALL,
        ).values_list("user_id", flat=True)
    )
    about_type = ContentType.objects.get_for_model(about) if about is not None else None
    values = dict(params or {})
    notices = []
    for user in recipients:
        if user.pk in muted:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            notices.append(
                Notification(
                    user=user,
                    kind=kind,
                    about_type=about_type,
                    about_id=about.pk if about is not None else None,
                    subject=str(subject) % values,
                    body=str(body) % values,
                    link=link,
                )
            )
    created = Notification.objects.bulk_create(notices)
    ids = [notice.pk for notice in created]
    if ids:
        enqueue_on_commit("portal.notifications.tasks.notifications_email", ids)
    return created


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail each notice not e-mailed yet; returns how many were sent. Safe to run twice.

    A notice whose recipient has switched off e-mails of its kind by the time it is sent stays in
    the inbox only.
    """
    notices = list(
        Notification.objects.filter(
            pk__in=notification_ids, emailed_at__isnull=True
        ).select_related("user")
    )
    silenced = set(
        NotificationOptOut.objects.filter(
            user__in={notice.user_id for notice in notices},
            kind__in={notice.kind for notice in notices},
        ).values_list("user_id", "kind")
    )
    sent = 0
    for notice in notices:
        if not notice.user.email or (notice.user_id, notice.kind) in silenced:
            continue
        link = f"\n\n{settings.SITE_URL}{notice.link}" if notice.link else ""
        send_mail(
            subject=notice.subject,
            message=notice.body + link,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notice.user.email],
        )
        Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@transaction.atomic
def notification_preferences_set(
    *, user: User, muted_kinds: Iterable[str], email_muted_kinds: Iterable[str] = ()
) -> None:
    """Switch off exactly the kinds in `muted_kinds` for the user (inbox and e-mail), and the
    e-mails alone of those in `email_muted_kinds`; switch on the rest."""
    muted = set(muted_kinds)
    email_muted = set(email_muted_kinds) - muted
    unknown = (muted | email_muted) - kind_values()
    if unknown:
        raise ValueError(f"Unknown notification kinds: {sorted(unknown)}")
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=muted | email_muted).delete()
    for kinds, channel in [
        (muted, NotificationOptOut.Channel.ALL),
        (email_muted, NotificationOptOut.Channel.EMAIL),
    ]:
        for kind in kinds:
            NotificationOptOut.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
