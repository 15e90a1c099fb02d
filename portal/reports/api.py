"""REST API of reports: file, list and read reports, the map's features, "me too"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiRequest,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from pilots.models import Pilot
from portal.models import User
from portal.reports import selectors, services
from portal.reports.errors import ReportError
from portal.reports.models import Category, Report
from portal.reports.permissions import user_may_report, user_may_support
from portal.reports.photos import PHOTO_MEDIA_TYPES
from portal.reports.serializers import (
    AddressPlaceSerializer,
    AddressQuerySerializer,
    MapQuerySerializer,
    NearbyQuerySerializer,
    ReportCreateSerializer,
    ReportFilterSerializer,
    ReportSerializer,
)
from portal.rest import query_parameters
from sensors.selectors import visible_device


class MayReport(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or user_may_report(request.user)


def _filters(query: dict[str, Any]) -> selectors.ReportFilters:
    return selectors.ReportFilters(
        category=query.get("category", ""),
        status=query.get("status", ""),
        district=query.get("district", ""),
        pilot=query.get("pilot", ""),
        overdue=query.get("overdue", False),
    )


@extend_schema_view(list=extend_schema(parameters=[ReportFilterSerializer]))
class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Report],
):
    """Citizens' reports of problems in the city. Anyone may read; logged-in citizens file."""

    serializer_class = ReportSerializer
    permission_classes = [MayReport]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[Report]:
        reports = selectors.report_list().prefetch_related("photos")
        if self.action != "list":
            return reports
        query = query_parameters(ReportFilterSerializer, self.request)
        return selectors.report_list(_filters(query)).prefetch_related("photos")

    @extend_schema(
        request={
            "multipart/form-data": OpenApiRequest(
                ReportCreateSerializer,
                encoding={"photos": {"contentType": ", ".join(PHOTO_MEDIA_TYPES)}},
            )
        },
        responses={
            201: ReportSerializer,
            # `portal.rest` gives each code its status.
            404: OpenApiResponse(
                description="No category open for reports has this code (`category_unknown`), "
                "no pilot this slug (`pilot_unknown`) or no device this id (`device_unknown`)."
            ),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """File a report: category, description, latitude and longitude, up to three photos.

        The place is `latitude` and `longitude` together, inside one of the city's districts, or
        else an `address` that names a district; photos are JPEG, PNG, WebP or GIF images of at
        most 10 MB. A report that breaks one of these answers 400 with the rule's code.
        """
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        category = Category.objects.filter(code=values["category"], active=True).first()
        if category is None:
            raise ValidationError(
                _("No category open for reports has this code."), code=ReportError.CATEGORY_UNKNOWN
            )
        pilot = None
        if values["pilot"]:
            pilot = Pilot.objects.filter(slug=values["pilot"]).first()
            if pilot is None:
                raise ValidationError(_("No pilot has this slug."), code=ReportError.PILOT_UNKNOWN)
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - MayReport guarantees it.
        device = None
        if values["device"] is not None:
            # A private device is named only by those who may see it, as on its own page.
            device = visible_device(user, values["device"])
            if device is None:
                raise ValidationError(_("No device has this id."), code=ReportError.DEVICE_UNKNOWN)
        report = services.report_create(
            reporter=user,
            category=category,
            description=values["description"],
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            address=values["address"],
            pilot=pilot,
            device=device,
            photos=[upload.read() for upload in values["photos"]],
            show_name=values["show_name"],
            source=Report.Source.API,
        )
        created = selectors.report_list().prefetch_related("photos").get(pk=report.pk)
        return Response(ReportSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[MapQuerySerializer],
        responses={200: OpenApiResponse(description="A GeoJSON FeatureCollection")},
    )
    @action(detail=False, url_path="map", pagination_class=None)
    def map(self, request: Request) -> Response:
        """Features for one map view: single reports close up, SQL-made clusters further out."""
        values = query_parameters(MapQuerySerializer, request)
        return Response(
            selectors.report_map(
                south=values["south"],
                west=values["west"],
                north=values["north"],
                east=values["east"],
                zoom=values["zoom"],
                filters=_filters(values),
            )
        )

    @extend_schema(
        parameters=[AddressQuerySerializer],
        responses={200: AddressPlaceSerializer, 404: OpenApiResponse(description="No district")},
    )
    @action(detail=False, url_path="place", pagination_class=None)
    def place(self, request: Request) -> Response:
        """Where a typed address puts a report: its district's centre (no street-level lookup)."""
        query = query_parameters(AddressQuerySerializer, request)
        found = selectors.address_place(query["address"])
        if found is None:
            raise exceptions.NotFound("No district of the city is named in this address.")
        return Response(AddressPlaceSerializer(found).data)

    @extend_schema(
        parameters=[NearbyQuerySerializer],
        responses={
            200: ReportSerializer(many=True),
            404: OpenApiResponse(description="No such category"),
        },
    )
    @action(detail=False, url_path="nearby", pagination_class=None)
    def nearby(self, request: Request) -> Response:
        """Open reports of the category within about 50 m, to say "me too" to one of them."""
        values = query_parameters(NearbyQuerySerializer, request)
        category = get_object_or_404(Category, code=values["category"])
        reports = selectors.reports_nearby_open(
            category=category, latitude=values["latitude"], longitude=values["longitude"]
        )
        return Response(ReportSerializer(reports[:5], many=True).data)

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="support")
    def support(self, request: Request, pk: str | None = None) -> Response:
        """Say "me too": count yourself among the report's supporters and hear of its updates."""
        report = self.get_object()
        user = request.user
        if not isinstance(user, User) or not user_may_support(user, report):
            raise exceptions.PermissionDenied()
        services.report_support(report=report, user=user)
        report.refresh_from_db()
        return Response(ReportSerializer(report).data)
