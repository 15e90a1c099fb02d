from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "portal.spaces"
    label = "spaces"
    verbose_name = _("Innovation spaces")

    def ready(self) -> None:
        from portal.notifications.registry import kinds_register
        from portal.rest import refusal_statuses_register
        from portal.spaces import admin  # noqa: F401
        from portal.spaces.errors import API_STATUSES
        from portal.spaces.notices import SpaceNotice

        kinds_register(SpaceNotice)
        refusal_statuses_register(API_STATUSES)
