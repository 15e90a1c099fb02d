"""The browsable API's front page: what the open data is, in the reader's language."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from rest_framework import routers


class APIRootView(routers.APIRootView):
    """The list of the API's collections, named and described for people, not for DRF."""

    def get_view_name(self) -> str:
        return _("Open data API")

    def get_view_description(self, html: bool = False) -> str:
        text = _(
            "Open data on Seoul's living-lab pilots: districts, pilots, devices and their "
            "readings, citizens' reports and innovation spaces. Each address below lists one "
            "kind; the documentation describes every operation."
        )
        if not html:
            return text
        link: SafeString = format_html(
            '<p>{}</p><p><a href="{}">{}</a></p>', text, reverse("api-docs"), _("Documentation")
        )
        return link


class Router(routers.DefaultRouter):
    """DRF's default router with the portal's own front page."""

    APIRootView = APIRootView
