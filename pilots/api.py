"""Read API of pilots."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from pilots import selectors
from pilots.models import Pilot
from pilots.serializers import PilotDetailSerializer, PilotSerializer


class PilotFilterSerializer(serializers.Serializer[selectors.PilotFilters]):
    district = serializers.SlugField(required=False, default="")
    domain = serializers.ChoiceField(choices=Pilot.Domain.choices, required=False, default="")
    phase = serializers.ChoiceField(choices=Pilot.Phase.choices, required=False, default="")
    q = serializers.CharField(required=False, default="", max_length=100)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("district", str, description="District slug, e.g. gangnam-gu"),
            OpenApiParameter("domain", str, enum=Pilot.Domain.values),
            OpenApiParameter("phase", str, enum=Pilot.Phase.values),
            OpenApiParameter("q", str, description="Words in the title, summary or partner"),
        ]
    )
)
class PilotViewSet(viewsets.ReadOnlyModelViewSet[Pilot]):
    """The city's pilots, filterable by district, domain, phase and text."""

    serializer_class = PilotSerializer
    lookup_field = "slug"

    def get_serializer_class(self) -> type[PilotSerializer]:
        return PilotDetailSerializer if self.action == "retrieve" else PilotSerializer

    def get_queryset(self) -> QuerySet[Pilot]:
        if self.action != "list":
            return selectors.pilot_list().prefetch_related("eligibility_rules")
        params = PilotFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = selectors.PilotFilters(
            district=data["district"], domain=data["domain"], phase=data["phase"], text=data["q"]
        )
        return selectors.pilot_list(filters)
