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
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.limits import request_address
from portal.rest import error_body
from portal.rest_schema import AutoSchema
from sensors.errors import CredentialError, SensorError
from sensors.ingest import BodyError, parse_body
from sensors.models import DeviceCredential, IngestBatch
from sensors.services.accepting import ingest_batch_accept
from sensors.services.credentials import device_credential_check
from sensors.services.limits import token_failures_add, token_failures_check

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
        # An address that sent too many invalid tokens is refused before its token is looked up.
        origin = request_address(request)
        now = timezone.now()
        token_failures_check(origin=origin, now=now)
        try:
            credential = device_credential_check(token=token, now=now)
        except CredentialError as error:
            if error.code == SensorError.INVALID_TOKEN:
                token_failures_add({origin: 1}, now=now)
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


class IngestSchema(AutoSchema):
    """The portal's schema, with the body required: a request without one answers 400."""

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        body: dict[str, Any] | None = super()._get_request_body(direction)  # type: ignore[no-untyped-call]
        if body:
            body["required"] = True
        return body


DESCRIPTION = """Readings of the device the token belongs to. Each reading is
`{"metric": "pm25", "time": "2026-11-25T09:00:00+09:00", "value": 41.5}`, optionally with
`"device"` (the device's own id or name) and `"correction": true`. Every reading is judged on its
own: the 202 counts those accepted and lists each refused one by its index, a code and a reason.

A reading of a metric at a time (compared in UTC) that an earlier reading of the same batch has,
or that was received before, is refused as `duplicate`, and the reason gives the value received:
a device that sends again after a lost answer learns that nothing was lost, and nothing stored is
overwritten by accident. To replace a stored value, send the reading again with
`"correction": true`: the new value replaces the old one, which is kept in the reading's history,
and the minute and hour rollups and the alerts follow. A correction of a time with nothing stored
is an ordinary reading; one that changes nothing is a `duplicate`.

503 `unavailable` means the database could not take the readings just then and nothing was kept:
send them again after the seconds in Retry-After."""


class ReadingIngestView(APIView):
    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsDevice]
    schema = IngestSchema()

    @extend_schema(
        description=DESCRIPTION,
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
            429: OpenApiResponse(
                description="`rate_limited`: the device has sent its readings for this minute "
                "(SENSORS_DEVICE_READINGS_PER_MINUTE); `too_many_invalid_tokens`: too many "
                "invalid tokens came from the caller's address. Nothing was stored; send again "
                "after the seconds in Retry-After."
            ),
            503: OpenApiResponse(
                description="`unavailable`: the database is away for a moment and nothing was "
                "kept; send again after the seconds in Retry-After."
            ),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[429, 503],
                description="Seconds to wait before sending again.",
            )
        ],
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
