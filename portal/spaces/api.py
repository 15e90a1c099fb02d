"""The spaces REST API: the public catalogue and calls, and an organisation's own applications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import rest
from portal.http import AuthenticatedRequest
from portal.rest import query_parameters
from portal.spaces import selectors, services
from portal.spaces.models import Application, Call, InnovationDistrict, Space
from portal.spaces.serializers import ApplicationSerializer, CallSerializer, SpaceSerializer


class SpaceFilterSerializer(serializers.Serializer[dict[str, Any]]):
    """The catalogue's filters, as its page has them; each one left out does not filter."""

    innovation_district = serializers.IntegerField(
        required=False, min_value=1, help_text="An innovation district's id."
    )
    kind = serializers.ChoiceField(choices=Space.Kind.choices, required=False)
    people = serializers.IntegerField(
        required=False, min_value=1, max_value=500, help_text="Seats needed."
    )
    available_on = serializers.DateField(required=False)
    free_only = rest.BooleanField(required=False, help_text="Only spaces with no monthly fee.")


@extend_schema_view(list=extend_schema(parameters=[SpaceFilterSerializer]))
class SpaceViewSet(viewsets.ReadOnlyModelViewSet[Space]):
    """Published spaces of the innovation districts, with their free seats on the day asked for."""

    serializer_class = SpaceSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self) -> QuerySet[Space]:
        if self.action != "list":
            return selectors.space_catalogue(selectors.SpaceFilters()).order_by("pk")
        query = query_parameters(SpaceFilterSerializer, self.request)
        district = None
        if "innovation_district" in query:
            district = InnovationDistrict.objects.filter(pk=query["innovation_district"]).first()
            if district is None:
                # An innovation district that does not exist has no spaces.
                return Space.objects.none()
        filters = selectors.SpaceFilters(
            innovation_district=district,
            kind=query.get("kind", ""),
            free_only=query.get("free_only", False),
            people=query.get("people"),
            available_on=query.get("available_on"),
        )
        return selectors.space_catalogue(filters).order_by("pk")


class CallViewSet(viewsets.ReadOnlyModelViewSet[Call]):
    """Published calls for applications, with their eligibility and rubric."""

    serializer_class = CallSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self) -> QuerySet[Call]:
        return selectors.calls_published()


class MyApplicationViewSet(viewsets.ReadOnlyModelViewSet[Application]):
    """The applications of the organisations the caller belongs to; nobody else's."""

    serializer_class = ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Application]:
        return selectors.applications_of(self.request.user)

    @extend_schema(
        request=None,
        responses={
            200: ApplicationSerializer,
            # `portal.rest` gives the code its status.
            409: OpenApiResponse(
                description="The application was decided or withdrawn already (`cannot_withdraw`)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:
        # A refusal reaches the caller through the API's one error handler (portal.rest).
        withdrawn = services.application_withdraw(
            application=self.get_object(),
            by=request.user,
        )
        return Response(ApplicationSerializer(withdrawn).data)
