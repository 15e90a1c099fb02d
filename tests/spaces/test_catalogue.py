"""The public catalogue at /spaces/ and its API: filters, free seats by day, map, languages."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portal.spaces.models import Allocation, Application, Call, Space
from tests.portal.factories import district
from tests.spaces.factories import CallFactory, InnovationDistrictFactory, SpaceFactory

pytestmark = pytest.mark.django_db

TOMORROW = dt.timedelta(days=1)


@pytest.fixture
def catalogue(application: Application, space: Space) -> dict[str, Space]:
    """The call's lab (four seats, three of them taken tomorrow only), a paid office in another
    innovation district, a free desk in the lab's, and a test-bed not shown in the catalogue."""
    Space.objects.filter(pk=space.pk).update(name_ko="마곡 실증 랩", name_en="Magok test lab")
    tomorrow = timezone.localdate() + TOMORROW
    Allocation.objects.create(
        application=application, space=space, starts_on=tomorrow, ends_on=tomorrow, seats=3
    )
    other = InnovationDistrictFactory.create(name="Hongneung", district=district("dongdaemun-gu"))
    return {
        "lab": space,
        "office": SpaceFactory.create(
            name="Hongneung office",
            kind=Space.Kind.OFFICE,
            innovation_district=other,
            capacity=8,
            monthly_fee=500_000,
            latitude=37.5894,
            longitude=127.0437,
        ),
        "desk": SpaceFactory.create(
            name="Magok desks",
            kind=Space.Kind.DESK,
            innovation_district=space.innovation_district,
            capacity=20,
        ),
        "hidden": SpaceFactory.create(name="Unpublished test-bed", is_published=False),
    }


def _cards(client: Client, query: str = "", language: str = "en") -> list[str]:
    html = client.get(f"/spaces/{query}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


def _markers(client: Client, query: str = "") -> list[dict[str, Any]]:
    html = client.get(f"/spaces/{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    found = re.search(r'<script id="space-markers" type="application/json">(.*?)</script>', html)
    assert found is not None
    markers: list[dict[str, Any]] = json.loads(found.group(1))
    return markers


def test_the_catalogue_lists_published_spaces_only(
    client: Client, catalogue: dict[str, Space]
) -> None:
    assert sorted(_cards(client)) == ["Hongneung office", "Magok desks", "Magok test lab"]
    assert client.get(catalogue["hidden"].get_absolute_url()).status_code == 404


def test_the_catalogue_filters_by_innovation_district_kind_and_fee(
    client: Client, catalogue: dict[str, Space]
) -> None:
    magok = catalogue["lab"].innovation_district
    assert sorted(_cards(client, f"?innovation_district={magok.pk}")) == [
        "Magok desks",
        "Magok test lab",
    ]
    assert _cards(client, "?kind=office") == ["Hongneung office"]
    assert sorted(_cards(client, "?free_only=on")) == ["Magok desks", "Magok test lab"]


def test_the_catalogue_counts_free_seats_on_the_day_asked_for(
    client: Client, catalogue: dict[str, Space]
) -> None:
    tomorrow = (timezone.localdate() + TOMORROW).isoformat()
    # The lab has its four seats today, but one tomorrow.
    assert "Magok test lab" in _cards(client, "?people=2")
    assert "Magok test lab" not in _cards(client, f"?people=2&available_on={tomorrow}")
    lab = next(
        m for m in _markers(client, f"?available_on={tomorrow}") if m["name"] == "Magok test lab"
    )
    assert lab["free"] == 1
    html = client.get(f"/spaces/?available_on={tomorrow}", HTTP_ACCEPT_LANGUAGE="en")
    assert f'data-free-label="free seats on {tomorrow}"' in html.content.decode()


def test_the_catalogue_map_has_a_marker_for_each_space_listed(
    client: Client, catalogue: dict[str, Space]
) -> None:
    office = catalogue["office"]
    markers = {marker["name"]: marker for marker in _markers(client)}
    assert sorted(markers) == ["Hongneung office", "Magok desks", "Magok test lab"]
    assert (markers["Hongneung office"]["lat"], markers["Hongneung office"]["lng"]) == (
        office.latitude,
        office.longitude,
    )
    assert markers["Hongneung office"]["url"] == office.get_absolute_url()
    assert [marker["name"] for marker in _markers(client, "?kind=office")] == ["Hongneung office"]


def test_a_filter_that_cannot_be_read_is_said_and_ignored(
    client: Client, catalogue: dict[str, Space]
) -> None:
    response = client.get("/spaces/?people=none", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored." in response.content.decode()
    assert len(_cards(client, "?people=none")) == 3


def test_the_catalogue_speaks_korean_and_english_with_the_spaces_own_names(
    client: Client, catalogue: dict[str, Space]
) -> None:
    korean = client.get("/spaces/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    english = client.get("/spaces/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>혁신 공간</h1>" in korean
    assert "<h1>Innovation spaces</h1>" in english
    assert "마곡 실증 랩" in _cards(client, language="ko")
    assert "Magok test lab" in _cards(client, language="en")
    # The seats filter reads as a number of seats, in either language.
    assert re.search(r"<label>자리 수 <input[^>]+name=\"people\"", korean)
    assert re.search(r"<label>Seats <input[^>]+name=\"people\"", english)


def test_a_space_page_shows_the_free_seats_of_each_coming_month(
    client: Client, catalogue: dict[str, Space]
) -> None:
    lab = catalogue["lab"]
    tomorrow = timezone.localdate() + TOMORROW
    html = client.get(lab.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = dict(re.findall(r"<tr><td>(\d{4}-\d{2})</td><td>([^<]+)</td></tr>", html))
    assert len(rows) == 6
    assert rows[tomorrow.strftime("%Y-%m")] == "1 / 4"
    later = (tomorrow.replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
    assert rows[later] == "4 / 4"


def test_the_api_lists_spaces_with_the_catalogues_filters_and_free_seats_on_the_day(
    catalogue: dict[str, Space],
) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    tomorrow = (timezone.localdate() + TOMORROW).isoformat()
    names = [space["name"] for space in api.get("/api/spaces/").json()["results"]]
    assert sorted(names) == ["Hongneung office", "Magok desks", "Magok test lab"]
    offices = api.get("/api/spaces/", {"kind": "office"}).json()["results"]
    assert [(space["name"], space["monthly_fee"]) for space in offices] == [
        ("Hongneung office", 500_000)
    ]
    labs = api.get("/api/spaces/", {"kind": "lab", "available_on": tomorrow}).json()["results"]
    assert [(space["name"], space["seats_free"]) for space in labs] == [("Magok test lab", 1)]
    roomy = api.get("/api/spaces/", {"people": "2", "available_on": tomorrow}).json()["results"]
    assert "Magok test lab" not in [space["name"] for space in roomy]
    assert api.get(f"/api/spaces/{catalogue['hidden'].pk}/").status_code == 404


def test_the_api_refuses_a_filter_it_cannot_read_naming_it(catalogue: dict[str, Space]) -> None:
    response = APIClient().get("/api/spaces/", {"people": "0"})
    assert response.status_code == 400
    assert "people" in response.json()["error"]["message"]


def test_the_api_lists_published_calls_with_their_eligibility_and_rubric(
    call: Call, call_factory: type[CallFactory]
) -> None:
    call_factory.create(title="Not yet announced", is_published=False)
    calls = APIClient().get("/api/calls/").json()["results"]
    assert [published["title"] for published in calls] == ["Magok 2025"]
    listed = calls[0]
    assert listed["is_open"] is True
    assert listed["max_years_since_founding"] == 7
    assert [(c["name"], c["weight"]) for c in listed["criteria"]] == [
        ("Innovation", 3),
        ("Feasibility", 1),
    ]
    assert listed["spaces"] == [space.pk for space in call.spaces.all()]


def test_the_openapi_schema_describes_the_catalogue_the_calls_and_own_applications() -> None:
    schema = (
        APIClient()
        .get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"})
        .json()
    )
    paths = schema["paths"]
    for path in [
        "/api/spaces/",
        "/api/spaces/{id}/",
        "/api/calls/",
        "/api/calls/{id}/",
        "/api/me/space-applications/",
        "/api/me/space-applications/{id}/",
    ]:
        assert "get" in paths[path], path
    filters = {parameter["name"] for parameter in paths["/api/spaces/"]["get"]["parameters"]}
    assert {"innovation_district", "kind", "people", "available_on", "free_only"} <= filters
