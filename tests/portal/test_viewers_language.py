"""Menus, forms and pages in the viewer's language: 가나다 order, a birth date when it is needed,
and `lang` on the API's own pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from pilots.forms import PilotFilterForm
from portal.forms import SignUpForm
from portal.models import User

pytestmark = pytest.mark.django_db


def _district_names(form_html: str, field: str) -> list[str]:
    select = form_html.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    return [name for value, name in re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)<', select)]


@pytest.mark.parametrize("form_class", [PilotFilterForm, SignUpForm])
def test_district_menus_are_in_korean_order_in_korean_and_english_order_in_english(
    form_class: type[PilotFilterForm] | type[SignUpForm],
) -> None:
    field = "district" if form_class is PilotFilterForm else "home_district"
    with translation.override("ko"):
        korean = _district_names(str(form_class()), field)
    with translation.override("en"):
        english = _district_names(str(form_class()), field)

    assert korean[:3] == ["강남구", "강동구", "강북구"]
    assert korean == sorted(korean)
    assert english[:3] == ["Dobong-gu", "Dongdaemun-gu", "Dongjak-gu"]
    assert english == sorted(english)


def test_sign_up_asks_for_a_birth_date_only_to_join_a_pilot_with_an_age_limit(
    client: Client,
) -> None:
    data = {
        "username": "minji",
        "email": "minji@example.org",
        "password1": "a long enough passphrase 7",
        "password2": "a long enough passphrase 7",
        "preferred_language": "ko",
    }
    refused = client.post("/accounts/signup/", {**data, "needs": "birth_date"})
    assert refused.status_code == 200
    assert not User.objects.filter(username="minji").exists()
    assert 'name="needs" value="birth_date"' in refused.content.decode()

    client.post("/accounts/signup/", {**data, "needs": "birth_date", "birth_date": "1990-04-01"})
    assert User.objects.get(username="minji").birth_date == dt.date(1990, 4, 1)


def test_sign_up_without_a_pilot_in_view_leaves_the_birth_date_out(client: Client) -> None:
    client.post(
        "/accounts/signup/",
        {
            "username": "jisoo",
            "email": "jisoo@example.org",
            "password1": "a long enough passphrase 7",
            "password2": "a long enough passphrase 7",
            "preferred_language": "en",
        },
    )

    assert User.objects.get(username="jisoo").birth_date is None


@pytest.mark.parametrize("path", ["/api/", "/api/docs/"])
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_apis_own_pages_say_their_language(client: Client, path: str, language: str) -> None:
    page = client.get(path, HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE=language)

    assert f'<html lang="{language}">' in page.content.decode()


def test_the_browsable_apis_front_page_is_the_portals_in_the_readers_language(
    client: Client,
) -> None:
    page = client.get("/api/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>Open data API</h1>" in page
    assert "Each address below lists one kind" in page
    assert 'href="/api/docs/"' in page
    # DRF's own name and its class docstring are not what a reader of the portal needs.
    assert "DefaultRouter" not in page
    assert "Django REST framework" not in page


def test_the_browsable_apis_format_menu_has_a_name_for_screen_readers(client: Client) -> None:
    page = client.get("/api/pilots/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")

    assert 'aria-label="Choose the format of the answer"' in page.content.decode()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_sign_up_offers_to_keep_the_language_the_form_is_read_in(
    client: Client, language: str
) -> None:
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f'<option value="{language}" selected>' in page
