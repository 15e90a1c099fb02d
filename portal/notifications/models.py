"""A person's inbox and the kinds of notice they switched off."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message in a person's inbox; also sent by e-mail unless they switched its kind off.

    `about` is the thing the notice concerns (a pilot, a report, an application); the sender's
    model declares a `GenericRelation` to it, so its notices go when it is deleted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # One of the kinds registered in `portal.notifications.registry`.
    kind = models.CharField(_("kind"), max_length=40)
    about_type = models.ForeignKey(
        ContentType,
        verbose_name=_("about (type)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    about_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=4000)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
            models.Index(fields=["about_type", "about_id"], name="notification_about"),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationOptOut(models.Model):
    """A kind of notification a person switched off: altogether, or only its e-mails."""

    class Channel(models.TextChoices):
        # Neither an inbox entry nor an e-mail.
        ALL = "all", _("inbox and e-mail")
        # The inbox entry still comes; the e-mail does not.
        EMAIL = "email", _("e-mail only")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="notification_opt_outs",
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(
        _("switched off"), max_length=10, choices=Channel.choices, default=Channel.ALL
    )

    class Meta:
        verbose_name = _("notification opt-out")
        verbose_name_plural = _("notification opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="opt_out_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind} · {self.channel}"
