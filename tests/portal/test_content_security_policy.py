"""Every page carries a Content-Security-Policy that lets no inline script run.

The policy is only worth its header if the pages need nothing it forbids: these tests read every
page of the tour for inline scripts, event-handler attributes and style attributes; the browser
test (tests/browser/test_content_security_policy.py) watches Chromium refuse nothing.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from portal.csp import ERROR_PAGE, content_security_policy, inline_style_hashes, tile_source
from tests.portal.tour import TourWorld, tour, tour_world

pytestmark = pytest.mark.django_db


class _Inline(HTMLParser):
    """What a page would need 'unsafe-inline' for: inline scripts, on* handlers, style="..."."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        is_data = (names.get("type") or "").lower() in {"application/json", "application/ld+json"}
        self._in_inline_script = tag == "script" and "src" not in names and not is_data

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def _clients(world: TourWorld) -> dict[str, Client]:
    clients = {who: Client(headers={"accept": "text/html"}) for who in ("anonymous", "citizen")}
    clients["citizen"].force_login(world.citizen)
    clients["manager"] = Client(headers={"accept": "text/html"})
    clients["manager"].force_login(world.manager)
    return clients


def test_every_page_answers_with_the_policy_and_needs_nothing_inline() -> None:
    world = tour_world()
    clients = _clients(world)
    problems: dict[str, list[str]] = {}
    for who, url in tour(world):
        response = clients[who].get(url)
        assert response.status_code in {200, 400, 404}, (url, response.status_code)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy + ";", url
        assert "unsafe-inline" not in policy, url
        assert "unsafe-eval" not in policy, url
        if response["Content-Type"].startswith("text/html"):
            parser = _Inline()
            parser.feed(response.content.decode())
            if parser.found:
                problems[url] = parser.found
    assert problems == {}


@pytest.mark.parametrize(
    "url", ["/api/pilots/", "/api/schema/", "/static/portal/css/site.css", "/api/pilots/%00/"]
)
def test_api_answers_static_files_and_refusals_carry_the_policy_too(
    client: Client, url: str
) -> None:
    response = client.get(url)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_policy_keeps_scripts_to_the_portals_own_files() -> None:
    directives = content_security_policy(map_tile_url="https://{s}.tiles.example/{z}/{x}/{y}.png")[
        "DIRECTIVES"
    ]
    assert isinstance(directives, dict)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "https://*.tiles.example" in directives["img-src"]


def test_tiles_served_by_the_portal_itself_need_no_other_source() -> None:
    assert tile_source("/tiles/{z}/{x}/{y}.png") == []


def test_the_error_pages_inline_styles_are_allowed_by_their_hash(client: Client) -> None:
    (style_hash,) = inline_style_hashes(ERROR_PAGE)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert style_hash in response["Content-Security-Policy"]
    assert "<style>" in response.content.decode()


def test_maps_are_plain_elements_that_our_own_script_makes(client: Client) -> None:
    tour_world()
    page = client.get("/pilots/smart-crosswalk/").content.decode()
    assert 'data-map="pilotAreaMap"' in page
    assert "portal/js/maps.js" in page
    assert "L.Map.djangoMap" not in page
