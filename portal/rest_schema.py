"""The OpenAPI schema of the API: every operation's error answers, and who may call it.

`AutoSchema` documents the API's one error shape (`portal.rest`) once for every operation, with
the statuses each one can answer, so that views declare only what is particular to them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.test import RequestFactory
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import authentication, permissions, serializers
from rest_framework.request import Request

from portal.rest import InputSerializer


class SessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The session cookie in the OpenAPI schema, and the CSRF token that goes with it.

    A request that changes something under a session must also bring the CSRF cookie and the
    same token in a header, as the site's pages send them; one that only reads needs neither.
    """

    target_class = "portal.rest_authentication.SessionAuthentication"
    name = ["cookieAuth", "csrfCookie", "csrfHeader"]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, str]]:
        return [
            {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME},
            {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.CSRF_COOKIE_NAME,
                "description": "Set by any page of the site; needed to change something.",
            },
            {
                "type": "apiKey",
                "in": "header",
                # Django names the header as WSGI does.
                "name": settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-"),
                "description": "The CSRF cookie's value, again; needed to change something.",
            },
        ]

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        if auto_schema.method in permissions.SAFE_METHODS:
            return {"cookieAuth": []}
        return {"cookieAuth": [], "csrfCookie": [], "csrfHeader": []}


class ErrorContentSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="What went wrong, as a stable code.")
    message = serializers.CharField(help_text="What went wrong, in the request's language.")
    details = serializers.JSONField(
        required=False, help_text="Field by field, when the request had several fields."
    )


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """The one shape of every API error."""

    error = ErrorContentSerializer()


# What each error status means wherever it is answered; views declare only statuses of their own.
ERROR_DESCRIPTIONS = {
    "400": "The request is malformed: a parameter or field is missing or invalid (`details` "
    "names each), or holds text that cannot be stored.",
    "401": "No credentials, or credentials that are not valid: log in, or send the token.",
    "403": "The caller may not do this, or a form post lacks its CSRF token.",
    "404": "No such object, or one the caller may not see; for lists, no such page.",
    "415": "The body is in a media type the operation does not read.",
}


def _text_pattern(field: serializers.CharField) -> str:
    """The pattern of the text a field accepts, as the server checks it.

    A slug is letters, digits, hyphens and underscores. Other text may hold anything but NUL,
    which the database cannot store; unless the field allows it blank, something other than
    whitespace too (DRF trims text before it checks it is not blank). The pattern never matches
    the empty value: drf-spectacular offers that as an alternative of its own where the field
    allows blank (and there it means "any" for a filter).
    """
    if isinstance(field, serializers.SlugField):
        return r"^[-a-zA-Z0-9_]+$"
    if field.allow_blank or not field.trim_whitespace:
        return r"^[^\u0000]+$"
    return r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def _column_is_nullable(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    """Whether a serializer field reads a model column that may hold NULL."""
    meta = getattr(field.parent, "Meta", None)
    model = getattr(meta, "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        column = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return bool(getattr(column, "null", False))


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, telling every operation's error answers and who may call it.

    Each operation documents the error statuses it can answer, in the API's one error shape:
    400 always (any parameter or body can be malformed), 401 where authentication is required,
    403 for forms posted with the session (CSRF) and where the view says so, 404 for objects
    named in the path and for pages of lists, 415 for operations that read a body. An operation
    open to anonymous callers lists "no authentication" among its security requirements.
    """

    def _anonymous_allowed(self) -> bool:
        """Whether the view's permissions let a caller with no credentials through."""
        request = Request(RequestFactory().generic(self.method, self.path))
        request.user = AnonymousUser()
        request.auth = None
        return all(
            permission.has_permission(request, self.view)
            for permission in self.view.get_permissions()
        )

    def get_auth(self) -> list[dict[str, Any]]:
        required = [requirement for requirement in super().get_auth() if requirement]
        return [*required, {}] if self._anonymous_allowed() else required

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        mapped = super()._map_serializer_field  # drf-spectacular leaves it untyped.
        schema: dict[str, Any] = mapped(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]
        if "$ref" in schema:
            return schema
        if direction == "request" and isinstance(field, serializers.FileField):
            # A file is uploaded as bytes; drf-spectacular shows the URL it is read back as.
            upload = {"type": "string", "format": "binary"}
            return upload if field.allow_empty_file else {**upload, "minLength": 1}
        # A value read through a nullable column is null where the column is, whichever
        # field shows it (a device outside any pilot has no pilot).
        if field.read_only and _column_is_nullable(field):
            schema["nullable"] = True
        if (
            direction == "request"
            and not field.read_only
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and "format" not in schema
        ):
            schema["pattern"] = _text_pattern(field)
            if not field.allow_blank:
                schema["minLength"] = max(schema.get("minLength", 0), 1)
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        mapped = super()._map_basic_serializer  # drf-spectacular leaves it untyped.
        schema: dict[str, Any] = mapped(serializer, direction)  # type: ignore[no-untyped-call]
        if isinstance(force_instance(serializer), InputSerializer):  # type: ignore[no-untyped-call]
            # The body takes its fields and no others (portal.rest.InputSerializer).
            schema["additionalProperties"] = False
        return schema

    def _error_statuses(self) -> list[str]:
        statuses = ["400"]
        if not self._anonymous_allowed():
            statuses.append("401")
        uses_session = any(
            isinstance(authenticator, authentication.SessionAuthentication)
            for authenticator in self.view.get_authenticators()
        )
        if uses_session and self.method not in permissions.SAFE_METHODS:
            statuses.append("403")
        paginated = self._is_list_view() and self._get_paginator() is not None  # type: ignore[no-untyped-call]
        if "{" in self.path or paginated:
            statuses.append("404")
        if self.method in {"POST", "PUT", "PATCH"}:
            statuses.append("415")
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        media_types = self.map_renderers("media_type")
        declared = [code for code in responses if code.startswith(("4", "5"))]
        for code in [*self._error_statuses(), *declared]:
            if "content" in responses.get(code, {}):
                continue
            description = responses.get(code, {}).get("description") or ERROR_DESCRIPTIONS.get(
                code, ""
            )
            responses[code] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                OpenApiResponse(response=ErrorSerializer, description=description),
                code,
                media_types,
                direction,
            )
        return dict(sorted(responses.items()))
