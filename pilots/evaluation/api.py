"""The evaluation API: a pilot's plan (for its managers) and its scorecards (for everyone)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pilots.evaluation import selectors, services
from pilots.evaluation.models import Scorecard
from pilots.evaluation.permissions import user_manages_evaluation
from pilots.evaluation.serializers import (
    PlanInputSerializer,
    PlanSerializer,
    ScorecardSerializer,
)
from pilots.models import Pilot
from portal.models import User
from portal.two_factor import second_factor_missing


def _managed_pilot(request: Request, slug: str) -> tuple[Pilot, User]:
    pilot = get_object_or_404(Pilot, slug=slug)
    user = request.user
    if not isinstance(user, User) or not user_manages_evaluation(user, pilot):
        raise exceptions.PermissionDenied()
    # A manager's powers need the session's one-time code here as in the admin.
    if second_factor_missing(user):
        raise exceptions.PermissionDenied(
            _(
                "Managing a pilot needs this session's one-time code: give the code from your "
                "authenticator app at %(url)s, then try again."
            )
            % {"url": reverse("two-factor-verify")}
        )
    return pilot, user


_NOT_A_MANAGER = (
    "The caller does not manage this pilot, or has not given this session's one-time code"
)


class EvaluationPlanView(APIView):
    """The pilot's evaluation plan, registered before it runs; amended with a reason after."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: PlanSerializer, 403: OpenApiResponse(description=f"{_NOT_A_MANAGER}.")}
    )
    def get(self, request: Request, slug: str) -> Response:
        pilot, _user = _managed_pilot(request, slug)
        plan = selectors.plan_of(pilot)
        if plan is None:
            raise exceptions.NotFound()
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        request=PlanInputSerializer,
        responses={
            200: PlanSerializer,
            403: OpenApiResponse(
                description=f"{_NOT_A_MANAGER}, or a form post lacks its CSRF token."
            ),
        },
    )
    def put(self, request: Request, slug: str) -> Response:
        pilot, user = _managed_pilot(request, slug)
        given = PlanInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # A broken rule is the service's ValidationError, which the API's exception handler
        # (portal/rest.py) turns into the error shape.
        plan = services.evaluation_plan_save(
            pilot=pilot,
            indicators=given.validated_data["indicators"],
            by=user,
            reason_ko=given.validated_data.get("reason_ko", ""),
            reason_en=given.validated_data.get("reason_en", ""),
        )
        return Response(PlanSerializer(plan).data)


class ScorecardListView(generics.ListAPIView[Scorecard]):
    """The pilot's scorecards, newest first; public, like the evidence on the pilot's page."""

    serializer_class = ScorecardSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self) -> QuerySet[Scorecard]:
        pilot = get_object_or_404(Pilot, slug=self.kwargs["slug"])
        return selectors.scorecards_of(pilot)


class LatestScorecardView(APIView):
    """The pilot's newest scorecard."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: ScorecardSerializer})
    def get(self, request: Request, slug: str) -> Response:
        pilot = get_object_or_404(Pilot, slug=slug)
        scorecard = selectors.latest_scorecard(pilot)
        if scorecard is None:
            raise exceptions.NotFound()
        return Response(ScorecardSerializer(scorecard).data)
