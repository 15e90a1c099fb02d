"""Read API of pilots."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from pilots import selectors
from pilots.models import Pilot
from pilots.serializers import PilotDetailSerializer, PilotSerializer
from portal.cache import CachedListMixin, Scope
from portal.rest import query_parameters


class PilotFilterSerializer(serializers.Serializer[selectors.PilotFilters]):
    """The list's filters; each one left out does not filter."""

    district = serializers.SlugField(required=False, help_text="District slug, e.g. gangnam-gu")
    domain = serializers.ChoiceField(choices=Pilot.Domain.choices, required=False)
    phase = serializers.ChoiceField(choices=Pilot.Phase.choices, required=False)
    q = serializers.CharField(
        required=False, max_length=100, help_text="Words in the title, summary or partner"
    )


@extend_schema_view(list=extend_schema(parameters=[PilotFilterSerializer]))
class PilotViewSet(CachedListMixin[Pilot], viewsets.ReadOnlyModelViewSet[Pilot]):
    """The city's pilots, filterable by district, domain, phase and text."""

    serializer_class = PilotSerializer
    # Each pilot's device count makes the list show devices too.
    cache_scopes = (Scope.PILOTS, Scope.DEVICES, Scope.DISTRICTS)
    cache_query = frozenset({"district", "domain", "phase", "q", "page"})
    lookup_field = "slug"

    def get_serializer_class(self) -> type[PilotSerializer]:
        return PilotDetailSerializer if self.action == "retrieve" else PilotSerializer

    def get_queryset(self) -> QuerySet[Pilot]:
        if self.action != "list":
            return selectors.pilot_list().prefetch_related("eligibility_rules")
        data = query_parameters(PilotFilterSerializer, self.request)
        filters = selectors.PilotFilters(
            district=data.get("district", ""),
            domain=data.get("domain", ""),
            phase=data.get("phase", ""),
            text=data.get("q", ""),
        )
        return selectors.pilot_list(filters)
