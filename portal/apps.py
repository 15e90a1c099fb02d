from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Apps whose `admin` module registers models; see INSTALLED_APPS for why this is not automatic.
ADMIN_MODULES = ["django.contrib.auth.admin", "portal.admin", "pilots.admin", "sensors.admin"]


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        for module in ADMIN_MODULES:
            import_module(module)
