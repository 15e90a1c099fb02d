"""The API's bodies, checked for text the database cannot store as DRF parses them.

The check sits in content negotiation, which picks the parser for every request of every API
view, rather than in parser classes: views that choose their own parsers (photo uploads) are
checked all the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, DataAndFiles

from portal.storable import CODE, MESSAGE, find_unstorable, printable_name

if TYPE_CHECKING:
    # DRF's settings import this module while rest_framework.request is still being imported.
    from rest_framework.request import Request


class UnstorableText(exceptions.ValidationError):
    default_code = CODE


def refuse_unstorable(parsed: Any) -> None:
    """Raise a 400 naming the first field of a parsed body whose text cannot be stored."""
    if isinstance(parsed, DataAndFiles):
        field = find_unstorable(parsed.data)
        if field is None:
            for name, files in parsed.files.lists():
                if find_unstorable([name, *(file.name or "" for file in files)]) is not None:
                    field = name
                    break
    else:
        field = find_unstorable(parsed)
    if field is not None:
        raise UnstorableText({printable_name(field): [MESSAGE]})


class StorableTextNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> Any:
        # `?format=` naming no format of the view (or empty) answers 400 naming the parameter,
        # rather than DRF's 404 (or, when empty, being ignored), as other invalid values do.
        name = self.settings.URL_FORMAT_OVERRIDE
        if name and not format_suffix and name in request.query_params:
            wanted = request.query_params[name]
            if not any(renderer.format == wanted for renderer in renderers):
                raise exceptions.ValidationError(
                    {name: [_("Not a format this endpoint answers in.")]}
                )
        return super().select_renderer(request, renderers, format_suffix)

    def select_parser(self, request: Request, parsers: Any) -> BaseParser | None:
        parser: BaseParser | None = super().select_parser(request, parsers)
        if parser is None:
            return None
        # Parsers are made anew for each request, so wrapping this one's method touches no other.
        parse = parser.parse

        def parse_and_check(
            stream: Any, media_type: str | None = None, parser_context: Any = None
        ) -> Any:
            try:
                parsed = parse(stream, media_type, parser_context)
            except RecursionError:
                # Python's JSON decoder gives up on deep nesting with this, not a ValueError.
                raise exceptions.ParseError(_("The body nests too deeply.")) from None
            refuse_unstorable(parsed)
            return parsed

        parser.parse = parse_and_check  # type: ignore[method-assign]
        return parser
