from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self) -> None:
        from pilots import admin  # noqa: F401
        from pilots.notices import PilotNotice
        from portal.notifications.registry import kinds_register

        kinds_register(PilotNotice)
