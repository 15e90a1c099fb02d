"""The logged-in resident's own API: enrolments (join, withdraw, consent) and survey answers.

The services' refusals reach the caller in the API's error shape through `portal.rest`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pilots import selectors, services
from pilots.models import Enrolment, Pilot, Survey, SurveyResponse
from pilots.serializers import (
    AnswersInputSerializer,
    ConsentInputSerializer,
    EnrolmentSerializer,
    JoinInputSerializer,
    SurveyResponseSerializer,
    SurveySerializer,
    WithdrawInputSerializer,
)
from portal.http import AuthenticatedRequest

# What each refusal means, with its code; `portal.rest` gives each code its status.
_NO_PILOT = OpenApiResponse(description="No pilot has this slug.")
_CSRF = "or a form post lacks its CSRF token."
_CONSENT_CONFLICTS = (
    "the pilot has no consent text yet (`no_consent`), or its text has changed since the "
    "version agreed to (`consent_outdated`: read the pilot's consent again)"
)


class EnrolmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Enrolment]
):
    """The pilots the logged-in resident takes part in or waits for, by pilot slug."""

    serializer_class = EnrolmentSerializer
    permission_classes = [permissions.IsAuthenticated]
    # IsAuthenticated lets only logged-in users this far.
    request: AuthenticatedRequest
    lookup_field = "pilot__slug"
    lookup_url_kwarg = "pilot"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Enrolment]:
        if getattr(self, "swagger_fake_view", False):  # The schema generator has no user.
            return Enrolment.objects.none()
        return selectors.my_enrolments(self.request.user).order_by("pilot__slug")

    @extend_schema(
        request=JoinInputSerializer,
        responses={
            201: EnrolmentSerializer,
            403: OpenApiResponse(
                description="The pilot's rules leave the caller out (`not_eligible`), or the "
                f"caller's e-mail address is not confirmed yet (`email_not_verified`); {_CSRF}"
            ),
            404: _NO_PILOT,
            409: OpenApiResponse(
                description="The pilot takes nobody in now: it neither recruits nor runs "
                "(`not_joinable`), the caller takes part or waits already "
                f"(`already_enrolled`), {_CONSENT_CONFLICTS}."
            ),
        },
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        """Join a pilot with explicit consent; when it is full, join its waiting list."""
        data = JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        pilot = get_object_or_404(Pilot, slug=values["pilot"])
        enrolment = services.enrolment_join(
            pilot=pilot,
            user=request.user,
            consent_version=values["consent_version"],
            consent_data_use=values["consent_data_use"],
            consent_contact=values["consent_contact"],
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WithdrawInputSerializer,
        responses={
            200: EnrolmentSerializer,
            404: _NO_PILOT,
            409: OpenApiResponse(
                description="The caller is not enrolled in this pilot, or withdrew already "
                "(`not_enrolled`)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pilot: str) -> Response:
        """Leave the pilot or its waiting list, optionally deleting the feedback given."""
        data = WithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = get_object_or_404(Pilot, slug=pilot)
        enrolment = services.enrolment_withdraw(
            pilot=target, user=request.user, delete_feedback=data.validated_data["delete_feedback"]
        )
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(
        request=ConsentInputSerializer,
        responses={
            200: EnrolmentSerializer,
            404: _NO_PILOT,
            409: OpenApiResponse(
                description="The caller is not enrolled in this pilot (`not_enrolled`), agreed "
                f"to its current consent text already (`already_consented`), {_CONSENT_CONFLICTS}."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def consent(self, request: AuthenticatedRequest, pilot: str) -> Response:
        """Agree to the pilot's current consent text after it changed."""
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        target = get_object_or_404(Pilot, slug=pilot)
        enrolment = services.enrolment_reconsent(
            pilot=target,
            user=request.user,
            consent_version=values["consent_version"],
            consent_data_use=values["consent_data_use"],
            consent_contact=values["consent_contact"],
        )
        return Response(EnrolmentSerializer(enrolment).data)


class SurveyAnswerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Survey]
):
    """Surveys of the pilots the resident takes part in, and their own answers."""

    serializer_class = SurveySerializer
    permission_classes = [permissions.IsAuthenticated]
    # IsAuthenticated lets only logged-in users this far.
    request: AuthenticatedRequest
    pagination_class = None

    def get_queryset(self) -> QuerySet[Survey]:
        if getattr(self, "swagger_fake_view", False):  # The schema generator has no user.
            return Survey.objects.none()
        user = self.request.user
        if self.action == "list":
            surveys = selectors.surveys_to_answer(user)
        else:
            pilots = (
                Enrolment.objects.filter(user=user)
                .exclude(status=Enrolment.Status.WITHDRAWN)
                .values("pilot")
            )
            surveys = Survey.objects.filter(pilot__in=pilots).annotate(
                answered=Exists(SurveyResponse.objects.filter(survey=OuterRef("pk"), user=user))
            )
        return surveys.select_related("pilot").prefetch_related("questions")

    @extend_schema(methods=["GET"], request=None, responses={200: SurveyResponseSerializer})
    @extend_schema(
        methods=["PUT"],
        request=AnswersInputSerializer,
        responses={
            200: SurveyResponseSerializer,
            403: OpenApiResponse(
                description="Only active participants answer: the caller waits for a place, or "
                f"must agree to the pilot's new consent text first (`not_participant`); {_CSRF}"
            ),
            409: OpenApiResponse(
                description="The survey is not open in the pilot's current phase (`survey_closed`)."
            ),
        },
    )
    @action(detail=True, methods=["get", "put"])
    def answers(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Read, or give and revise, the resident's answers while the survey is open."""
        survey = self.get_object()
        user = request.user
        if request.method == "GET":
            response = selectors.my_response(survey, user)
            if response is None:
                raise exceptions.NotFound(_("You have not answered this survey."))
            return Response(SurveyResponseSerializer(response).data)
        data = AnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers: dict[int, Any] = {
            item["question"]: item["value"] for item in data.validated_data["answers"]
        }
        saved = services.survey_submit(survey=survey, user=user, answers=answers)
        return Response(SurveyResponseSerializer(saved).data)
