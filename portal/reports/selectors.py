"""Reads of reports: lists with filters, nearby reports, the map, and triage figures."""

from __future__ import annotations

import datetime
import statistics
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Floor
from django.utils import timezone

from portal.reports.models import (
    CLUSTER_ZOOMS,
    SENSITIVE_DECIMALS,
    Category,
    CategoryAttribute,
    Photo,
    Report,
    ReportUpdate,
)
from portal.reports.services.geo import cell_degrees, degree_box, distance_m, district_named_in

# Beyond this many features for one view the map gets clusters instead of points.
MAX_MAP_FEATURES = 2_000
# At this zoom and closer the map shows single reports when there are few enough.
POINTS_FROM_ZOOM = 15
NEARBY_RADIUS_M = 50


@dataclass(frozen=True)
class ReportFilters:
    category: str = ""
    status: str = ""
    district: str = ""
    pilot: str = ""
    overdue: bool = False


def overdue_q(now: datetime.datetime | None = None) -> Q:
    return Q(due_at__lt=now or timezone.now()) & ~Q(status=Report.Status.CLOSED)


def report_list(filters: ReportFilters | None = None) -> QuerySet[Report]:
    """Reports newest first, with what lists show, filtered."""
    reports = Report.objects.select_related("category", "district", "pilot", "reporter")
    return _filtered(reports, filters or ReportFilters())


def _filtered(reports: QuerySet[Report], filters: ReportFilters) -> QuerySet[Report]:
    if filters.category:
        reports = reports.filter(category__code=filters.category)
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.district:
        reports = reports.filter(district__slug=filters.district)
    if filters.pilot:
        reports = reports.filter(pilot__slug=filters.pilot)
    if filters.overdue:
        reports = reports.filter(overdue_q())
    return reports


def report_detail(report_id: int) -> Report | None:
    return (
        Report.objects.select_related(
            "category", "district", "pilot", "device", "reporter", "duplicate_of", "assignee"
        )
        .prefetch_related("photos")
        .filter(pk=report_id)
        .first()
    )


def report_history(report: Report) -> QuerySet[ReportUpdate]:
    """The public history: status moves, official updates, reopenings and merges."""
    return report.updates.exclude(kind=ReportUpdate.Kind.ASSIGN).order_by("created_at", "pk")


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    categories = Category.objects.prefetch_related("attributes")
    return categories.filter(active=True) if active_only else categories


def reports_nearby_open(
    *, category: Category, latitude: float, longitude: float, radius_m: float = NEARBY_RADIUS_M
) -> list[Report]:
    """Open reports of the category within `radius_m` of the place, nearest first."""
    min_lat, max_lat, min_lon, max_lon = degree_box(latitude, longitude, radius_m)
    candidates = (
        Report.objects.select_related("category")
        .filter(
            category=category,
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
            duplicate_of__isnull=True,
        )
        .exclude(status=Report.Status.CLOSED)[:50]
    )
    measured = [
        (distance_m(latitude, longitude, report.latitude, report.longitude), report)
        for report in candidates
    ]
    return [
        report
        for distance, report in sorted(measured, key=lambda pair: pair[0])
        if distance <= radius_m
    ]


def address_place(address: str) -> dict[str, Any] | None:
    """Where a typed address puts a report, or None when it names no single district.

    There is no street-level geocoder: an address is only searched for a district's name (in
    Korean or English) or code, and the place is that district's centre.
    """
    district = district_named_in(address.strip()) if address.strip() else None
    if district is None:
        return None
    return {
        "district": district.slug,
        "district_name": district.name,
        "latitude": district.center_latitude,
        "longitude": district.center_longitude,
        "precision": "district",
    }


def report_map(
    *,
    south: float,
    west: float,
    north: float,
    east: float,
    zoom: int,
    filters: ReportFilters | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection for one map view, never more than MAX_MAP_FEATURES features.

    Close up, when few enough reports are in view, each is a point (places in sensitive
    categories rounded). Otherwise the database groups them into grid cells and each cell is one
    cluster with its count and overdue count. At the zooms of CLUSTER_ZOOMS (and further out)
    it groups the cells each report stores, reading one index in cell order rather than every
    report; closer in, where a view holds few reports, it computes the cells from the places.
    """
    now = timezone.now()
    in_view = _filtered(
        Report.objects.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        ),
        filters or ReportFilters(),
    )
    if zoom >= POINTS_FROM_ZOOM:
        points = list(
            in_view.order_by("-created_at").values(
                "pk",
                "latitude",
                "longitude",
                "status",
                "due_at",
                "support_count",
                "category__code",
                "category__sensitive",
            )[: MAX_MAP_FEATURES + 1]
        )
        if len(points) <= MAX_MAP_FEATURES:
            return {
                "type": "FeatureCollection",
                "clustered": False,
                "features": [_point(row, now) for row in points],
            }
    if zoom <= CLUSTER_ZOOMS[-1]:
        grouped = in_view.values(f"cell_z{max(zoom, CLUSTER_ZOOMS[0])}")
    else:
        side = cell_degrees(min(zoom, 18))
        grouped = in_view.annotate(
            cell_y=Floor(ExpressionWrapper(F("latitude") / side, output_field=FloatField())),
            cell_x=Floor(ExpressionWrapper(F("longitude") / side, output_field=FloatField())),
        ).values("cell_y", "cell_x")
    # Counted over columns the cell indexes hold (not the id, which they do not), so that
    # PostgreSQL answers from the index alone.
    cells = grouped.annotate(
        count=Count("*"),
        overdue=Count("status", filter=overdue_q(now)),
        latitude=Avg("latitude"),
        longitude=Avg("longitude"),
    ).order_by("-count")[:MAX_MAP_FEATURES]
    return {
        "type": "FeatureCollection",
        "clustered": True,
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    # Rounded: a cell of one report must not give away a sensitive place.
                    "coordinates": [
                        round(row["longitude"], SENSITIVE_DECIMALS),
                        round(row["latitude"], SENSITIVE_DECIMALS),
                    ],
                },
                "properties": {"count": row["count"], "overdue": row["overdue"]},
            }
            for row in cells
        ],
    }


def _point(row: Any, now: datetime.datetime) -> dict[str, Any]:
    latitude, longitude = row["latitude"], row["longitude"]
    if row["category__sensitive"]:
        latitude, longitude = (
            round(latitude, SENSITIVE_DECIMALS),
            round(longitude, SENSITIVE_DECIMALS),
        )
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]},
        "properties": {
            "category": row["category__code"],
            "status": row["status"],
            "overdue": bool(
                row["status"] != Report.Status.CLOSED and row["due_at"] and row["due_at"] < now
            ),
            "supporters": row["support_count"],
        },
    }


class _Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def category_median_times() -> list[dict[str, Any]]:
    """For each category: reports, and the median times to acknowledge and to close.

    PostgreSQL computes the medians; the embedded SQLite has no median, so Python does there.
    """
    to_ack = ExpressionWrapper(
        F("reports__acknowledged_at") - F("reports__created_at"), DurationField()
    )
    to_close = ExpressionWrapper(
        F("reports__closed_at") - F("reports__created_at"), DurationField()
    )
    categories = Category.objects.order_by("order", "code")
    if connection.vendor == "postgresql":
        rows = categories.annotate(
            report_count=Count("reports"),
            median_acknowledge=_Median(to_ack),
            median_close=_Median(to_close),
        )
        return [
            {
                "category": row,
                "reports": row.report_count,
                "median_acknowledge": row.median_acknowledge,
                "median_close": row.median_close,
            }
            for row in rows
        ]
    result = []
    for category in categories:
        times = list(
            Report.objects.filter(category=category).values_list(
                "created_at", "acknowledged_at", "closed_at"
            )
        )
        acks = [(ack - made).total_seconds() for made, ack, _closed in times if ack]
        closes = [(closed - made).total_seconds() for made, _ack, closed in times if closed]
        result.append(
            {
                "category": category,
                "reports": len(times),
                "median_acknowledge": datetime.timedelta(seconds=statistics.median(acks))
                if acks
                else None,
                "median_close": datetime.timedelta(seconds=statistics.median(closes))
                if closes
                else None,
            }
        )
    return result


def open311_requests(
    *,
    ids: list[int] | None,
    service_codes: list[str],
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    status: str,
    limit: int,
) -> QuerySet[Report]:
    """Reports as Open311 lists them: by ids, or by categories, time window and open/closed."""
    reports = Report.objects.select_related("category")
    if ids is not None:
        return reports.filter(pk__in=ids).order_by("-created_at")
    if service_codes:
        reports = reports.filter(category__code__in=service_codes)
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    if status == "open":
        reports = reports.exclude(status=Report.Status.CLOSED)
    elif status == "closed":
        reports = reports.filter(status=Report.Status.CLOSED)
    return reports.order_by("-created_at")[:limit]


def open311_extras(report_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """For each report: the first photo's display copy, and the last public update's text.

    Two flat queries rather than a prefetch, which builds a queryset per report and costs more
    than the rest of an answer of 1,000 reports.
    """
    photos: dict[int, str] = {}
    for report_id, name in (
        Photo.objects.filter(report_id__in=report_ids)
        .order_by("-pk")
        .values_list("report_id", "display")
    ):
        photos[report_id] = name
    notes: dict[int, str] = {}
    for report_id, text in (
        ReportUpdate.objects.filter(report_id__in=report_ids)
        .exclude(text="")
        .exclude(kind=ReportUpdate.Kind.ASSIGN)
        .order_by("created_at", "pk")
        .values_list("report_id", "text")
    ):
        notes[report_id] = text
    return photos, notes


def photo_urls(report: Report) -> list[str]:
    """Absolute-path URLs of the report's display-sized photos."""
    return [photo.display.url for photo in report.photos.all()]


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def open311_services() -> QuerySet[Category]:
    """Active categories, each marked with whether it has questions (Open311's `metadata`)."""
    return Category.objects.filter(active=True).annotate(
        has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk")))
    )


def report_by_token(token: str) -> Report | None:
    try:
        parsed = uuid.UUID(token)
    except ValueError:
        return None
    return Report.objects.filter(token=parsed).first()
