"""Notifications' part of a person's data: their inbox and the kinds they switched off."""

from __future__ import annotations

from typing import Any

from portal.models import User
from portal.privacy import iso


def notifications_export(*, user: User) -> dict[str, Any]:
    return {
        "notifications": [
            {
                "kind": notice.kind,
                "subject": notice.subject,
                "body": notice.body,
                "created_at": iso(notice.created_at),
                "read_at": iso(notice.read_at),
            }
            for notice in user.notifications.all()
        ],
        "notification_opt_outs": [
            {"kind": kind, "switched_off": channel}
            for kind, channel in user.notification_opt_outs.order_by("kind").values_list(
                "kind", "channel"
            )
        ],
    }
