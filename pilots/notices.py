"""The kinds of notice pilots send, registered with `portal.notifications` when the app starts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PilotNotice(models.TextChoices):
    PHASE_CHANGE = "phase_change", _("A pilot I joined changes phase")
    SURVEY_OPEN = "survey_open", _("A survey opens for me")
    WAITING_LIST = "waiting_list", _("A place frees up for me on a waiting list")
    CONSENT_UPDATE = "consent_update", _("A pilot I joined changes its consent text")
