from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self) -> None:
        from pilots import admin  # noqa: F401
        from pilots.errors import API_STATUSES
        from pilots.notices import PilotNotice
        from portal.notifications.registry import kinds_register
        from portal.rest import refusal_statuses_register

        kinds_register(PilotNotice)
        refusal_statuses_register(API_STATUSES)
