"""The kinds of notice reports send, registered with `portal.notifications` when the app starts,
and what their texts need to be written in each recipient's language."""

from __future__ import annotations

from typing import cast

from django.db import models
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from portal.reports.models import Category


class ReportNotice(models.TextChoices):
    REPORT_UPDATE = "report_update", _("A report I filed or support is updated")
    AREA_NEW = "area_report_new", _("A new report in an area I follow")
    AREA_UPDATE = "area_report_update", _("A report in an area I follow is updated")
    ASSIGNED = "report_assigned", _("A report is assigned to me to handle")


def _name_now(category: Category) -> str:
    # The translated field answers in the active language, falling back to the other one.
    return category.name


def category_name(category: Category) -> Promise:
    """The category's name, read when the notice is written: `notify` writes each recipient's
    notice in their own language, so each reads the name in theirs."""
    return cast(Promise, lazy(_name_now, str)(category))
