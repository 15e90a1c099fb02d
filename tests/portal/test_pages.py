"""The citizen-facing pages: home, accounts and the language switch."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from pilots.models import Pilot
from portal.models import User
from tests.pilots.factories import PilotFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def test_the_home_page_speaks_korean_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="ko"' in response.content.decode()
    assert "시범사업" in response.content.decode()


def test_the_home_page_speaks_english_to_a_browser_that_asks_for_it(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "en"})
    assert '<html lang="en"' in response.content.decode()
    assert "Try tomorrow's city in your neighbourhood" in response.content.decode()


def test_the_language_switch_remembers_the_choice(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/pilots/"})
    assert response.status_code == 302
    assert response["Location"] == "/pilots/"
    assert "Pilots" in client.get("/pilots/").content.decode()
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    assert '<html lang="ko"' in client.get("/").content.decode()


def test_the_home_map_carries_all_25_districts_and_the_pilots_in_them(client: Client) -> None:
    PilotFactory.create(title="Night buses", districts=["mapo-gu"])
    response = client.get("/")
    districts = json.loads(
        response.content.decode()
        .split('id="district-geojson" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert len(districts["features"]) == 25
    assert all(feature["geometry"]["coordinates"] for feature in districts["features"])
    pilots = response.context["map_pilots"]
    assert [pilot["title"] for pilot in pilots] == ["Night buses"]
    assert pilots[0]["districts"] == ["11440"]  # Mapo-gu's code.


def test_the_home_page_serves_leaflet_from_our_own_static_files(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "/static/leaflet/leaflet.js" in page
    assert "unpkg.com" not in page
    assert "cdn" not in page.lower()


def test_the_pilot_list_filters_by_domain_phase_district_and_text(client: Client) -> None:
    PilotFactory.create(
        title="Crosswalk lights", domain=Pilot.Domain.SAFETY, districts=["gangnam-gu"]
    )
    PilotFactory.create(title="Rooftop solar", domain=Pilot.Domain.ENERGY, districts=["songpa-gu"])
    PilotFactory.create(title="Quiet streets", domain=Pilot.Domain.ENVIRONMENT, phase="proposed")

    def titles(query: str) -> list[str]:
        return [pilot.title for pilot in client.get(f"/pilots/?{query}").context["page"]]

    assert sorted(titles("")) == ["Crosswalk lights", "Quiet streets", "Rooftop solar"]
    assert titles("domain=energy") == ["Rooftop solar"]
    assert titles("district=gangnam-gu") == ["Crosswalk lights", "Quiet streets"]
    assert titles("phase=proposed") == ["Quiet streets"]
    assert titles("q=solar") == ["Rooftop solar"]


def test_the_pilot_list_is_paginated_and_keeps_the_filters(client: Client) -> None:
    for number in range(14):
        PilotFactory.create(title=f"Energy pilot {number:02d}", domain=Pilot.Domain.ENERGY)
    first = client.get("/pilots/?domain=energy")
    assert len(first.context["page"]) == 12
    assert "domain=energy&amp;page=2" in first.content.decode()
    second = client.get("/pilots/?domain=energy&page=2")
    assert len(second.context["page"]) == 2


def test_an_unknown_filter_value_is_ignored_with_a_message(client: Client) -> None:
    PilotFactory.create(title="Crosswalk lights")
    response = client.get("/pilots/?domain=space-travel", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert [pilot.title for pilot in response.context["page"]] == ["Crosswalk lights"]


def test_the_pilot_page_shows_the_pilot_and_its_districts(client: Client) -> None:
    pilot = PilotFactory.create(title="Smart crosswalk", districts=["gangnam-gu", "seocho-gu"])
    response = client.get(pilot.get_absolute_url(), headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Smart crosswalk" in page
    assert "Gangnam-gu" in page
    assert "Seocho-gu" in page


def test_an_unknown_pilot_is_a_404(client: Client) -> None:
    assert client.get("/pilots/no-such-pilot/").status_code == 404


def test_signing_up_creates_a_logged_in_citizen(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": "minji",
            "email": "Minji@Example.org",
            "home_district": "",
            "preferred_language": "en",
            "password1": "a quiet street at night",
            "password2": "a quiet street at night",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="minji")
    assert user.email == "minji@example.org"
    assert list(user.groups.values_list("name", flat=True)) == ["citizen"]
    assert not user.is_staff
    assert client.get("/").context["user"] == user
    assert response.cookies["django_language"].value == "en"


def test_signing_up_with_a_taken_email_explains_the_problem(client: Client, citizen: User) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": "someone-else",
            "email": citizen.email.upper(),
            "preferred_language": "en",
            "password1": "a quiet street at night",
            "password2": "a quiet street at night",
        },
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert User.objects.filter(username="someone-else").count() == 0


def test_logging_in_and_out(client: Client, citizen: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": "citizen", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == citizen
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_a_wrong_password_is_refused_with_a_message(client: Client, citizen: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": "citizen", "password": "wrong"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def sign_up_as(
    client: Client, username: str, *, url: str = "/accounts/signup/", **extra: str
) -> TestResponse:
    return client.post(
        url,
        {
            "username": username,
            "email": f"{username.lower()}@example.org",
            "preferred_language": "en",
            "password1": "a quiet street at night",
            "password2": "a quiet street at night",
            **extra,
        },
        headers={"accept-language": "en"},
    )


def test_a_username_differing_only_in_case_from_a_taken_one_is_refused(
    client: Client, citizen: User
) -> None:
    response = sign_up_as(client, "Citizen")
    assert response.status_code == 200
    assert "This username is taken." in response.content.decode()
    assert User.objects.filter(username__iexact="citizen").count() == 1
    in_korean = client.post("/accounts/signup/", {"username": "CITIZEN"})
    assert "대소문자만 다른 사용자 이름은 같은 이름으로 봅니다." in in_korean.content.decode()


def test_signing_up_returns_to_the_page_the_citizen_came_from(client: Client) -> None:
    form = client.get("/accounts/signup/?next=/pilots/").content.decode()
    assert '<input type="hidden" name="next" value="/pilots/">' in form

    response = sign_up_as(client, "minji", url="/accounts/signup/?next=/pilots/")

    assert response.status_code == 302
    assert response["Location"] == "/pilots/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_signing_up_never_sends_the_citizen_to_another_site(client: Client, target: str) -> None:
    assert target not in client.get("/accounts/signup/", {"next": target}).content.decode()
    in_query = sign_up_as(client, "minji", url=f"/accounts/signup/?{urlencode({'next': target})}")
    client.logout()
    in_form = sign_up_as(client, "jisoo", next=target)

    assert in_query.status_code == 302
    assert in_query["Location"] == "/"
    assert in_form.status_code == 302
    assert in_form["Location"] == "/"


def test_a_logged_in_citizen_sent_to_sign_up_stays_on_the_site(
    client: Client, citizen: User
) -> None:
    client.force_login(citizen)
    response = client.get("/accounts/signup/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/pilots/", "/sensors/live/", "/accounts/login/"])
def test_no_template_comment_shows_on_a_page(client: Client, path: str) -> None:
    page = client.get(path).content.decode()

    assert "{#" not in page
    assert "#}" not in page
