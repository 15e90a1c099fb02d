"""The browsable API, fit for the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API without the inline <style> it adds for syntax colours.

    The colours only tint code samples in endpoint descriptions, which ours do not have; an
    inline style would need 'unsafe-inline' in the policy.
    """

    def get_context(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(*args, **kwargs)
        context["code_style"] = None
        return context

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        page = super().render(data, accepted_media_type, renderer_context)
        # DRF's page template opens with a bare <html>: the page says its language, for screen
        # readers and for the browser's line breaking, as every other page of the portal does.
        return page.replace("<html>", f'<html lang="{get_language()}">', 1)
