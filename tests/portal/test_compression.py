"""Answers come gzipped to browsers that take it, static files too, images as they are."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client
from pytest_django import Settings


@pytest.fixture
def development(settings: Settings) -> Client:
    """A browser on the demo, where WhiteNoise serves the source static files as they are."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    return Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")


def test_pages_come_gzipped_to_browsers_that_take_it(db: None) -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    assert b"<form" in gzip.decompress(page.content)


def test_pages_come_plain_to_clients_that_do_not(db: None) -> None:
    page = Client().get("/accounts/login/")

    assert not page.has_header("Content-Encoding")
    assert b"<form" in page.content


def test_scripts_and_styles_come_gzipped_in_the_demo(development: Client) -> None:
    for path in ("/static/leaflet/leaflet.js", "/static/portal/css/site.css"):
        answer = development.get(path)

        assert answer.status_code == 200
        assert answer["Content-Encoding"] == "gzip"
        body = gzip.decompress(answer.getvalue())
        assert len(body) > 1000


def test_images_are_sent_as_they_are(development: Client) -> None:
    answer = development.get("/static/leaflet/images/marker-icon.png")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert not answer.has_header("Content-Encoding")
