"""The kinds of notice the spaces app sends, registered with `portal.notifications`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpaceNotice(models.TextChoices):
    APPLICATION_STATUS = "space_application_status", _("An application for a space changes status")
    APPLICATION_RECEIVED = (
        "space_application_received",
        _("A call I manage receives an application"),
    )
    MEMBERSHIP = "organisation_membership", _("My place in an organisation changes")
