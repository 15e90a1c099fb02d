"""Area alerts: citizens following a district or a circle hear of new reports and updates there."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import District, User
from portal.notifications.services import notify
from portal.reports.errors import ReportError
from portal.reports.models import ALERT_RADIUS_MAX, ALERT_RADIUS_MIN, AreaAlert, Report
from portal.reports.notices import ReportNotice, category_name
from portal.reports.services.geo import degree_box, distance_m, district_at

MAX_ALERTS_PER_USER = 20


@transaction.atomic
def area_alert_create(
    *,
    user: User,
    district: District | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: int | None = None,
) -> AreaAlert:
    """Follow a district, or a circle of 200 m to 3 km around a place in the city."""
    if AreaAlert.objects.filter(user=user).count() >= MAX_ALERTS_PER_USER:
        raise ValidationError(
            _("You follow as many areas as one person may."), code=ReportError.ALERT_INVALID
        )
    if district is not None:
        alert, _created = AreaAlert.objects.get_or_create(user=user, district=district)
        return alert
    if latitude is None or longitude is None or radius_m is None:
        raise ValidationError(
            _("Choose a district, or a place and a radius."), code=ReportError.ALERT_INVALID
        )
    if not ALERT_RADIUS_MIN <= radius_m <= ALERT_RADIUS_MAX:
        raise ValidationError(
            _("The radius must be between 200 m and 3 km."), code=ReportError.ALERT_INVALID
        )
    if district_at(latitude=latitude, longitude=longitude) is None:
        raise ValidationError(
            _("This place is outside the city's districts."), code=ReportError.LOCATION_OUTSIDE
        )
    return AreaAlert.objects.create(
        user=user, latitude=latitude, longitude=longitude, radius_m=radius_m
    )


@transaction.atomic
def area_alert_delete(*, user: User, alert_id: int) -> bool:
    """Stop following an area; only its owner can. False if there was no such alert of theirs."""
    deleted, _rows = AreaAlert.objects.filter(user=user, pk=alert_id).delete()
    return deleted > 0


def area_followers(report: Report) -> set[User]:
    """People whose area alerts cover the report's place."""
    min_lat, max_lat, min_lon, max_lon = degree_box(
        report.latitude, report.longitude, ALERT_RADIUS_MAX
    )
    candidates = AreaAlert.objects.filter(
        Q(district_id=report.district_id, district__isnull=False)
        | Q(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    ).select_related("user")
    followers: set[User] = set()
    for alert in candidates:
        if not alert.user.is_active:
            continue
        if alert.district_id is not None or (
            alert.latitude is not None
            and alert.longitude is not None
            and alert.radius_m is not None
            and distance_m(alert.latitude, alert.longitude, report.latitude, report.longitude)
            <= alert.radius_m
        ):
            followers.add(alert.user)
    return followers


def reports_alert_area(*, report_id: int) -> int:
    """Tell the people following the report's area of a new report; returns how many heard.

    Run after the report's transaction has committed. Safe to run twice: a second run finds the
    notices already sent and sends none.
    """
    report = Report.objects.select_related("category", "district").filter(pk=report_id).first()
    if report is None:
        return 0
    already = set(
        report.notifications.filter(kind=ReportNotice.AREA_NEW).values_list("user_id", flat=True)
    )
    recipients: Iterable[User] = [
        user
        for user in area_followers(report)
        if user.pk != report.reporter_id and user.pk not in already
    ]
    sent = notify(
        users=recipients,
        kind=ReportNotice.AREA_NEW,
        about=report,
        subject=_("New report near you: %(category)s"),
        body=_("Someone reported a problem in an area you follow: %(category)s. %(description)s"),
        params={
            "category": category_name(report.category),
            "description": report.description[:200],
        },
        link=report.get_absolute_url(),
    )
    return len(sent)
