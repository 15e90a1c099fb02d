"""Playwright driving Debian's Chromium; every test here is skipped where Chromium is missing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.conftest import requires_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(requires_chromium)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    # One browser for all the browser tests, which pages and contexts of their own keep apart;
    # closed when they are done: Playwright's sync API keeps an event loop running while it is
    # open, which async tests elsewhere must not find. While it runs, Django's ORM (the test
    # database set-up and flush) sees that loop and must be told the calls are in fact
    # synchronous.
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _page(chromium: Browser, viewport: ViewportSize, locale: str) -> Iterator[Page]:
    context = chromium.new_context(viewport=viewport, locale=locale)
    # Map tiles come from the internet, which tests must not depend on.
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium: Browser) -> Iterator[Page]:
    """A page in a 360-pixel-wide phone viewport whose browser prefers Korean."""
    yield from _page(chromium, PHONE, "ko-KR")


@pytest.fixture
def desktop_page(chromium: Browser) -> Iterator[Page]:
    """A page in a desktop viewport whose browser prefers English."""
    yield from _page(chromium, DESKTOP, "en-US")
