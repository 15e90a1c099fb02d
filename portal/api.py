"""Read API of the portal app: districts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal import selectors
from portal.models import District
from portal.serializers import DistrictGeoSerializer, DistrictSerializer


class DistrictViewSet(viewsets.ReadOnlyModelViewSet[District]):
    """Seoul's 25 districts; the detail includes the boundary as a GeoJSON geometry."""

    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[District]:
        return selectors.district_list()

    def get_serializer_class(self) -> type[DistrictSerializer]:
        return DistrictGeoSerializer if self.action == "retrieve" else DistrictSerializer

    @extend_schema(
        responses={200: OpenApiResponse(description="A GeoJSON FeatureCollection of districts")}
    )
    @action(detail=False, url_path="geojson")
    def geojson(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """Every district as one GeoJSON FeatureCollection, for maps."""
        return Response(selectors.district_feature_collection(self.get_queryset()))
