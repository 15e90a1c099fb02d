"""What the portal holds about a person: export it all as JSON, or delete the account.

Each app exports and erases its own part; this module gathers them. Personal data goes with the
account; reports stay for the city's record, anonymised.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from pilots.privacy import pilots_erase, pilots_export
from portal.models import User
from portal.notifications.privacy import notifications_export
from portal.privacy import account_export, iso
from portal.reports.privacy import reports_export
from portal.spaces.privacy import spaces_erase, spaces_export


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about the user, in a shape meant to be read by them."""
    return {
        "exported_at": iso(timezone.now()),
        "account": account_export(user=user),
        **pilots_export(user=user),
        **reports_export(user=user),
        **spaces_export(user=user),
        **notifications_export(user=user),
    }


@transaction.atomic
def user_delete_account(*, user: User) -> None:
    """Delete the account and the personal data hanging off it; keep reports, anonymised.

    Places the user held in pilots are handed to the next on each waiting list first, and
    organisations they were the last owner of to their longest-standing member.
    """
    pilots_erase(user=user)
    spaces_erase(user=user)
    user.delete()
