from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivingLabConfig(AppConfig):
    name = "portal.livinglab"
    label = "livinglab"
    verbose_name = _("Living lab")
