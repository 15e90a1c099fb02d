"""The admin's map editor for a pilot's area speaks the manager's language, Leaflet.draw's
toolbar included (it ships only English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.roles import Role
from tests.pilots.factories import PilotFactory
from tests.portal.factories import UserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_area_editors_toolbar_is_in_the_managers_language(
    language: str, live_server: LiveServer, phone_page: Page
) -> None:
    manager = UserFactory.create(username="manager", role=Role.PILOT_MANAGER)
    pilot = PilotFactory.create(title="스마트 횡단보도", slug="smart-crosswalk")
    pilot.managers.add(manager)
    client = Client()
    client.force_login(manager)
    phone_page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )

    phone_page.goto(live_server.url + reverse("admin:pilots_pilot_change", args=[pilot.pk]))

    with translation.override(language):
        expected = {
            ".leaflet-draw-draw-polygon": gettext("Draw a polygon"),
            ".leaflet-draw-edit-edit": gettext("No shapes to edit"),
            ".leaflet-draw-edit-remove": gettext("No shapes to delete"),
        }
    for selector, title in expected.items():
        assert phone_page.locator(selector).get_attribute("title") == title
    # Leaflet.draw's own English words are gone.
    assert phone_page.locator(".leaflet-draw-edit-edit").get_attribute("title") != (
        "No layers to edit."
    )
