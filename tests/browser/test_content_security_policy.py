"""Chromium enforces the Content-Security-Policy on every page and has to refuse nothing.

Chromium reports each refusal as a console message starting "Refused to" and as a
`securitypolicyviolation` event; either on any page of the tour fails the test. The maps, made by
our own script now, must still be drawn.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client

from tests.portal.tour import tour, tour_world

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded in the page, as events fire before Playwright could ask for them.
LISTEN_FOR_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""
MAPS = {
    "/": "#home-map",
    "/sensors/live/": ".leaflet-container",
    "/reports/": "#reports-map.leaflet-container",
    "/spaces/": "#space-map.leaflet-container",
    "/reports/new/": "#report-pick-map.leaflet-container",
}


def _context(chromium: Browser, live_server: LiveServer, client: Client | None) -> BrowserContext:
    context = chromium.new_context(locale="en-US")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    if client is not None:
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def test_no_page_needs_anything_the_policy_refuses(
    live_server: LiveServer, chromium: Browser
) -> None:
    world = tour_world()
    clients: dict[str, Client | None] = {"anonymous": None}
    for who, user in (("citizen", world.citizen), ("manager", world.manager)):
        client = Client()
        client.force_login(user)
        clients[who] = client
    contexts = {who: _context(chromium, live_server, client) for who, client in clients.items()}
    refused: dict[str, list[str]] = {}
    try:
        for who, url in tour(world):
            page = contexts[who].new_page()
            messages: list[str] = []

            def on_console(message: ConsoleMessage, messages: list[str] = messages) -> None:
                if "Refused to" in message.text or "Content Security Policy" in message.text:
                    messages.append(message.text)

            page.on("console", on_console)
            response = page.goto(live_server.url + url, wait_until="load")
            assert response is not None
            assert response.headers.get("content-security-policy"), url
            if url in MAPS:
                page.wait_for_selector(MAPS[url], timeout=10_000)
            # Scripts that run after load (maps, Swagger UI) have had their turn.
            page.wait_for_timeout(300)
            messages += page.evaluate("window.__violations || []")
            if messages:
                refused[f"{who} {url}"] = messages
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert refused == {}, json.dumps(refused, indent=1)


def test_swagger_ui_draws_the_api_documentation_under_the_policy(
    live_server: LiveServer, chromium: Browser
) -> None:
    context = _context(chromium, live_server, None)
    page = context.new_page()
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert page.evaluate("window.__violations") == []
    context.close()
