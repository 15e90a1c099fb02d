"""`POST /api/sensors/readings`: devices push readings with their own token.

`Authorization: Token <device token>`; the body is a JSON list of up to `SENSORS_MAX_BATCH`
readings or one reading alone. The answer is 202 with `{"accepted": n, "rejected": [{"index": i,
"code": "...", "reason": "..."}]}` once the accepted readings are durably kept (see
`sensors.services.processing`); problems with the request as a whole answer in the portal's one
error shape, with the codes of `sensors.errors`.

Under ASGI, as the portal is served, `sensors.ingest_asgi` answers this path ahead of Django with
the same contract and a group commit; this view documents the endpoint in the OpenAPI schema and
serves it under WSGI, keeping each batch for the Celery workers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.rest import error_body
from sensors.errors import CredentialError, SensorError
from sensors.ingest import BodyError, parse_body
from sensors.models import DeviceCredential, IngestBatch
from sensors.services.accepting import ingest_batch_accept
from sensors.services.credentials import device_credential_check

KEYWORD = "Token"


class DeviceTokenAuthentication(BaseAuthentication):
    """Authenticates a device, not a person: `request.auth` is its `DeviceCredential`."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, DeviceCredential] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be 'Token <device token>'.")
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The device token is not valid.")) from None
        try:
            credential = device_credential_check(token=token)
        except CredentialError as error:
            raise exceptions.AuthenticationFailed(error.message, code=error.code) from None
        return AnonymousUser(), credential

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class DeviceTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the device token in the OpenAPI schema."""

    target_class = "sensors.api_ingest.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <device token>",
        }


class IsDevice(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, DeviceCredential)


class ReadingIngestView(APIView):
    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsDevice]

    @extend_schema(
        # Each reading is judged on its own and refused by index in the 202 (not an object, a
        # field missing...), so any JSON value may stand in the list; the list must not be
        # empty, and holds at most SENSORS_MAX_BATCH readings (more answer 413).
        request={
            "application/json": {
                "oneOf": [
                    {"type": "array", "minItems": 1, "items": {}},
                    {"type": "object", "description": "One reading alone."},
                ]
            }
        },
        responses={
            202: OpenApiResponse(description="Readings accepted and the rejected ones listed"),
            400: OpenApiResponse(description="Malformed JSON or not a list of readings"),
            401: OpenApiResponse(description="Missing, wrong or revoked device token"),
            413: OpenApiResponse(description="Body too large or too many readings"),
        },
    )
    def post(self, request: Request) -> Response:
        credential = request.auth
        assert isinstance(credential, DeviceCredential)  # noqa: S101 - IsDevice ensures it.
        max_bytes = settings.SENSORS_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > max_bytes:
                raise BodyError(
                    status=413,
                    code=SensorError.BODY_TOO_LARGE,
                    message=_("The body is larger than %(limit)d bytes.") % {"limit": max_bytes},
                )
            try:
                raw = request.body
            except RequestDataTooBig:
                raise BodyError(
                    status=413,
                    code=SensorError.BODY_TOO_LARGE,
                    message=_("The body is larger than %(limit)d bytes.") % {"limit": max_bytes},
                ) from None
            items = parse_body(raw, max_bytes=max_bytes, max_readings=settings.SENSORS_MAX_BATCH)
        except BodyError as error:
            return Response(
                error_body(status=error.status, code=error.code, message=error.message),
                status=error.status,
            )
        checked = ingest_batch_accept(
            device=credential.device, items=items, source=IngestBatch.Source.HTTP
        )
        return Response({"accepted": checked.accepted, "rejected": checked.rejected}, status=202)
