"""gzip for every answer worth compressing: pages, API bodies, and static files in development."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Formats that are compressed already: gzip would spend time and save nothing.
COMPRESSED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "font/woff",
    "font/woff2",
    "video/",
    "audio/",
    "application/zip",
    "application/gzip",
    "application/pdf",
)


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation), less formats compressed already.

    It sits outside WhiteNoise: in production WhiteNoise serves the compressed copies that
    `collectstatic` made, which this leaves alone; in development (and the demo) it serves the
    source files as they are, which this compresses like any answer.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
