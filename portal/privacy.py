"""The portal's part of a person's data: their account."""

from __future__ import annotations

from typing import Any

from portal.models import User


def iso(value: Any) -> Any:
    """A date or time as ISO 8601 text, anything else as it is; for data exports."""
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def account_export(*, user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "home_district": user.home_district.slug if user.home_district else None,
        "birth_date": iso(user.birth_date),
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }
