"""Read API of devices, metrics, readings and rollups."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, renderers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.cache import CachedListMixin, Scope
from portal.renderers import BrowsableAPIRenderer
from portal.rest import CursorPagination, query_parameters
from sensors import selectors
from sensors.models import Device, Metric
from sensors.serializers import (
    CityMinutesQuerySerializer,
    CityMinutesSerializer,
    DeviceSerializer,
    MetricSerializer,
    ReadingQuerySerializer,
    ReadingSerializer,
    RollupQuerySerializer,
    RollupSerializer,
)


class DeviceViewSet(CachedListMixin[Device], viewsets.ReadOnlyModelViewSet[Device]):
    """Public devices across the city; private pilot devices are not listed."""

    serializer_class = DeviceSerializer
    # Each device's last-seen time is a live value.
    cache_scopes = (Scope.DEVICES, Scope.PILOTS, Scope.DISTRICTS)
    cache_live = True
    cache_query = frozenset({"page"})

    def get_queryset(self) -> QuerySet[Device]:
        return selectors.public_device_list().order_by("id")


class MetricViewSet(viewsets.ReadOnlyModelViewSet[Metric]):
    """The catalogue of what devices measure, with units and physically possible ranges."""

    serializer_class = MetricSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Metric]:
        return selectors.metric_list()

    @extend_schema(parameters=[CityMinutesQuerySerializer], responses=CityMinutesSerializer)
    @action(detail=True, methods=["get"], url_path="city")
    def city(self, request: Request, code: str | None = None) -> Response:
        """The city's public devices minute by minute: mean of their means, highest value.

        The last `minutes` minutes (10 by default, at most 180), oldest first; a minute no
        device reported is left out. The live page's chart opens with it.
        """
        query = query_parameters(CityMinutesQuerySerializer, request)
        end = timezone.now()
        start = end - dt.timedelta(minutes=query["minutes"])
        minutes = selectors.city_minutes(metric=self.get_object(), start=start, end=end)
        return Response(CityMinutesSerializer({"metric": code, "results": minutes}).data)


class CSVRenderer(renderers.BaseRenderer):
    """CSV for spreadsheets; series are streamed by the views, so this renders only errors."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        error = data.get("error", {}) if isinstance(data, dict) else {}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["status", "code", "message"])
        writer.writerow([error.get("status", ""), error.get("code", ""), error.get("message", "")])
        return buffer.getvalue().encode()


def _csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % 1_000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class SeriesPagination(CursorPagination):
    page_size = 500
    max_page_size = 5_000


class ReadingPagination(SeriesPagination):
    ordering = ("time", "metric_id")


class RollupPagination(SeriesPagination):
    ordering = ("bucket", "metric_id")


SERIES_PARAMETERS = [
    OpenApiParameter(
        "format",
        str,
        enum=["json", "csv"],
        description="csv: the whole range as one CSV download, without pages.",
    )
]


class DeviceSeriesView(generics.ListAPIView[Any]):
    """What the readings and rollups endpoints share: the device, the range, JSON or CSV."""

    renderer_classes = [renderers.JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    query_serializer_class: type[ReadingQuerySerializer] = ReadingQuerySerializer
    csv_header: list[str] = []

    def device(self) -> Device:
        device = selectors.visible_device(self.request.user, int(self.kwargs["device_id"]))
        # A private device is answered like a missing one, so its existence is not given away.
        if device is None:
            raise exceptions.NotFound(_("No such device."))
        return device

    def query(self) -> dict[str, Any]:
        """The validated range, with the metric asked for (None: every metric)."""
        query = query_parameters(self.query_serializer_class, self.request)
        if "metric" in query:
            found = Metric.objects.filter(code=query["metric"]).first()
            if found is None:
                raise exceptions.NotFound(_("No such metric."))
            query["metric"] = found
        return query

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterable[Iterable[Any]]:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.get_queryset()
        if request.accepted_renderer.format == "csv":
            # The download has no pages, yet a page size the schema refuses is refused here too
            # rather than quietly ignored.
            if isinstance(self.paginator, CursorPagination):
                self.paginator.get_page_size(request)
            response = StreamingHttpResponse(
                _csv_lines(self.csv_header, self.csv_rows(queryset)),
                content_type="text/csv; charset=utf-8",
            )
            filename = f"device-{self.kwargs['device_id']}-{self.csv_name}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    csv_name = "series"


@extend_schema(parameters=[ReadingQuerySerializer, *SERIES_PARAMETERS])
class DeviceReadingsView(DeviceSeriesView):
    """A device's raw readings in [start, end), oldest first; at most 31 days at a time.

    `start` and `end` are ISO 8601 times (default: the last 24 hours); `metric` is a metric code.
    Private devices are answered only to their pilot's members.
    """

    serializer_class = ReadingSerializer
    pagination_class = ReadingPagination
    query_serializer_class = ReadingQuerySerializer
    csv_header = ["time", "metric", "value"]
    csv_name = "readings"

    def get_queryset(self) -> QuerySet[Any]:
        query = self.query()
        return selectors.device_readings(
            device=self.device(), metric=query.get("metric"), start=query["start"], end=query["end"]
        )

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterable[Iterable[Any]]:
        for time, code, value in queryset.values_list("time", "metric__code", "value").iterator(
            chunk_size=2_000
        ):
            yield [timezone.localtime(time).isoformat(), code, value]


@extend_schema(parameters=[RollupQuerySerializer, *SERIES_PARAMETERS])
class DeviceRollupsView(DeviceSeriesView):
    """A device's per-minute or per-hour count, minimum, maximum and mean, oldest bucket first.

    `resolution` is minute (default range the last hour, at most 7 days) or hour (default the
    last 24 hours, at most 366 days).
    """

    serializer_class = RollupSerializer
    pagination_class = RollupPagination
    query_serializer_class = RollupQuerySerializer
    csv_header = ["bucket", "metric", "count", "min", "max", "mean"]
    csv_name = "rollups"

    def get_queryset(self) -> QuerySet[Any]:
        query = self.query()
        self.csv_name = f"rollups-{query['resolution']}"
        return selectors.device_rollups(
            device=self.device(),
            metric=query.get("metric"),
            resolution=query["resolution"],
            start=query["start"],
            end=query["end"],
        )

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterable[Iterable[Any]]:
        rows = queryset.values_list("bucket", "metric__code", "count", "min", "max", "mean")
        for bucket, code, count, low, high, mean in rows.iterator(chunk_size=2_000):
            yield [timezone.localtime(bucket).isoformat(), code, count, low, high, round(mean, 3)]
