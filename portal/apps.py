from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Each app imports its own admin module when it is ready: autodiscovery would import
        # leaflet.admin, which needs the GDAL library that the portal does without.
        from axes import admin as axes_admin  # noqa: F401
        from django.contrib.auth import admin as auth_admin  # noqa: F401
        from django_otp.plugins.otp_static import admin as otp_static_admin  # noqa: F401
        from django_otp.plugins.otp_totp import admin as otp_totp_admin  # noqa: F401

        # `arrays` registers the `in_array` lookup on every field when it is imported.
        from portal import (
            admin,  # noqa: F401
            arrays,  # noqa: F401
        )
