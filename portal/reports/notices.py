"""The kinds of notice reports send, registered with `portal.notifications` when the app starts,
and what their texts need to be written in each recipient's language."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.notifications.services import in_readers_language
from portal.reports.models import Category


class ReportNotice(models.TextChoices):
    REPORT_UPDATE = "report_update", _("A report I filed or support is updated")
    AREA_NEW = "area_report_new", _("A new report in an area I follow")
    AREA_UPDATE = "area_report_update", _("A report in an area I follow is updated")
    ASSIGNED = "report_assigned", _("A report is assigned to me to handle")


def category_name(category: Category) -> Promise:
    """The category's name in each recipient's language (see `in_readers_language`)."""
    return in_readers_language(category, "name")
