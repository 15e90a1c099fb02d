"""Telling residents what happened in their pilots: an inbox entry and an email, per kind opt-out.

Notices are written inside the caller's transaction and emailed only after it commits, so a
rolled-back change never reaches anyone's mailbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from pilots.models import Notification, NotificationOptOut, Pilot
from portal.models import User


def notify(
    *,
    users: Iterable[User],
    kind: Notification.Kind,
    pilot: Pilot | None,
    subject: Promise,
    body: Promise,
    params: Mapping[str, Any] | None = None,
    link: str = "",
) -> list[Notification]:
    """Put a notice in each user's inbox, in their language, unless they switched `kind` off.

    `subject` and `body` are lazy translations with %(name)s placeholders filled from `params`.
    Emails follow on commit. Returns the notices created.
    """
    recipients = list(users)
    if not recipients:
        return []
    muted = set(
        NotificationOptOut.objects.filter(
            user__in=[user.pk for user in recipients], kind=kind
        ).values_list("user_id", flat=True)
    )
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
                    pilot=pilot,
                    subject=str(subject) % values,
                    body=str(body) % values,
                    link=link,
                )
            )
    created = Notification.objects.bulk_create(notices)
    ids = [notice.pk for notice in created]
    if ids:
        from pilots.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.delay(ids))
    return created


def notifications_email(*, notification_ids: list[int]) -> int:
    """Email each notice not emailed yet; returns how many were sent. Safe to run twice."""
    sent = 0
    for notice in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("user"):
        if not notice.user.email:
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
def notification_preferences_set(*, user: User, muted_kinds: Iterable[str]) -> None:
    """Switch off exactly the kinds in `muted_kinds` for the user, and switch on the rest."""
    wanted = set(muted_kinds)
    unknown = wanted - set(Notification.Kind.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {sorted(unknown)}")
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=wanted).delete()
    for kind in wanted:
        NotificationOptOut.objects.get_or_create(user=user, kind=kind)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
