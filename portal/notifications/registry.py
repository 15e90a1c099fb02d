"""The kinds of notice a person can receive, registered by the apps that send them.

Each app declares its kinds as a `TextChoices` and registers it from its `AppConfig.ready`, so this
app stays below every sender and the preferences page lists every kind without knowing the apps.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise

_kinds: dict[str, str | Promise] = {}


def kinds_register(kinds: type[models.TextChoices]) -> None:
    """Make every member of `kinds` a kind people receive and can switch off."""
    for kind in kinds:
        already = _kinds.get(kind.value)
        if already is not None and str(already) != str(kind.label):
            raise ValueError(f"Notification kind {kind.value!r} is registered twice")
        _kinds[kind.value] = kind.label


def kind_choices() -> list[tuple[str, str | Promise]]:
    """Every registered kind as (value, label), in the order the apps registered them."""
    return list(_kinds.items())


def kind_values() -> set[str]:
    return set(_kinds)
