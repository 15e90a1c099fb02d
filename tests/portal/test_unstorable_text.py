"""Text the database cannot store (NUL, lone surrogates) is refused with a 400 naming the field.

SQLite stores a NUL where PostgreSQL fails with a server error, so the examples that once gave 500s
are worth most against PostgreSQL (DATABASE_URL); the refusal itself comes before any query and is
the same on both. The property-based tests throw such text at every path, query parameter and
body the OpenAPI schema documents, and at every field of the forms the pages show.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots.models import Pilot, Survey
from portal.models import User
from portal.storable import find_unstorable, json_storable, printable_name
from tests.pilots.factories import consent, join, survey
from tests.portal.factories import UserFactory
from tests.portal.tour import openapi_schema

pytestmark = pytest.mark.django_db

# One character the database cannot store: NUL, or half of a UTF-16 surrogate pair.
UNSTORABLE_CHARACTER = st.one_of(st.just("\x00"), st.characters(codec=None, categories=["Cs"]))
# What a URL or a form can carry: bytes that decode to a NUL (surrogates cannot be encoded).
NUL = st.just("\x00")


def _around(middle: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    edge = st.text(max_size=6)
    return st.builds(lambda before, bad, after: before + bad + after, edge, middle, edge)


UNSTORABLE_TEXT = _around(UNSTORABLE_CHARACTER)
UNSTORABLE_IN_URLS = _around(NUL)
SLOW = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _refused_in_the_api_shape(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "unstorable_text"
    assert error["status"] == 400
    assert printable_name(field) in error["details"]


def _refused_with_the_page(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert printable_name(field).replace("&", "&amp;") in page


@pytest.fixture
def world(db: None, citizen: User, manager: User, pilot: Pilot) -> dict[str, Any]:
    """A pilot the citizen joined, with an open survey: every write endpoint reaches its body."""
    consent(pilot)
    join(pilot, citizen)
    open_survey = survey(pilot)
    return {"pilot": pilot, "survey": open_survey, "citizen": citizen, "manager": manager}


def _client(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


# --- The examples that gave server errors -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/pilots/%00/",
        "/api/districts/a%00b/",
        "/api/metrics/%00/",
        "/api/me/enrolments/%00/",
        "/api/calls/%00/",
    ],
)
def test_a_nul_in_an_api_path_is_refused_naming_the_path(url: str, citizen: User) -> None:
    _refused_in_the_api_shape(_client(citizen).get(url), "path")


def test_a_nul_in_a_query_is_refused_naming_the_parameter(citizen: User) -> None:
    response = _client(citizen).get("/api/devices/1/readings/?metric=%00")
    _refused_in_the_api_shape(response, "metric")
    assert response.json()["error"]["message"].startswith("metric: ")


@pytest.mark.parametrize("text", ["abc\u0000def", "\ud800", "tail \udfff"])
def test_a_survey_answer_with_unstorable_text_is_refused_naming_the_answer(
    world: dict[str, Any], text: str
) -> None:
    created: Survey = world["survey"]
    rating, choice, free_text = created.questions.order_by("position")
    body = {
        "answers": [
            {"question": rating.pk, "value": 4},
            {"question": choice.pk, "value": "Night"},
            {"question": free_text.pk, "value": text},
        ]
    }
    response = _client(world["citizen"]).put(
        f"/api/me/surveys/{created.pk}/answers/", json.dumps(body), content_type="application/json"
    )
    _refused_in_the_api_shape(response, "answers.2.value")
    assert not created.responses.exists()


def test_storable_survey_text_still_goes_through(world: dict[str, Any]) -> None:
    created: Survey = world["survey"]
    rating, choice, free_text = created.questions.order_by("position")
    body = {
        "answers": [
            {"question": rating.pk, "value": 4},
            {"question": choice.pk, "value": "Night"},
            {"question": free_text.pk, "value": "복잡한 교차로 😀 \u2028 end"},
        ]
    }
    response = _client(world["citizen"]).put(
        f"/api/me/surveys/{created.pk}/answers/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_a_pages_query_and_form_are_refused_with_the_sites_page(
    client: Client, world: dict[str, Any]
) -> None:
    _refused_with_the_page(client.get("/pilots/", {"q": "a\x00b"}), "q")
    client.force_login(world["citizen"])
    pilot: Pilot = world["pilot"]
    asked = client.post(f"/pilots/{pilot.slug}/ask/", {"text": "why\x00"})
    _refused_with_the_page(asked, "text")
    assert not pilot.questions.exists()


def test_an_api_form_body_is_refused_like_json(world: dict[str, Any]) -> None:
    response = _client(world["citizen"]).post(
        f"/api/me/enrolments/{world['pilot'].slug}/withdraw/", {"delete_feedback": "\x00"}
    )
    _refused_in_the_api_shape(response, "delete_feedback")


def test_a_field_name_is_echoed_cut_short_and_escaped(citizen: User) -> None:
    response = _client(citizen).get("/api/pilots/", {"x\x00" + "y" * 500: "1"})
    error = response.json()["error"]
    (name,) = error["details"]
    assert name.startswith("x\\u0000yyy")
    assert len(name) <= 40
    assert len(response.content) < 1000


def test_surrogates_sent_as_bytes_never_reach_a_server_error(citizen: User) -> None:
    # Undecodable bytes become U+FFFD on the way in, which the database stores.
    response = _client(citizen).get("/api/pilots/?q=%ED%A0%80")
    assert response.status_code == 200


def test_deeply_nested_json_is_refused_as_unparseable(world: dict[str, Any]) -> None:
    created: Survey = world["survey"]
    body = "[" * 100_000 + "]" * 100_000
    response = _client(world["citizen"]).put(
        f"/api/me/surveys/{created.pk}/answers/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


# --- The finder on its own ----------------------------------------------------------------------


STORABLE = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))


@given(
    st.recursive(
        STORABLE, lambda children: st.lists(children) | st.dictionaries(STORABLE, children)
    )
)
def test_storable_json_is_never_refused(value: Any) -> None:
    assert find_unstorable(value) is None


JSON_VALUES = st.recursive(
    st.one_of(STORABLE, UNSTORABLE_TEXT, st.integers(), st.floats(allow_nan=False), st.none()),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(STORABLE, UNSTORABLE_TEXT), children, max_size=4)
    ),
    max_leaves=12,
)


@given(JSON_VALUES, st.booleans())
def test_json_judged_storable_from_its_bytes_holds_nothing_unstorable(
    value: Any, ascii_only: bool
) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")

    if json_storable(raw):
        assert find_unstorable(json.loads(raw)) is None


# Storable text without a backslash, whose JSON thus has no escape that could spell a NUL.
PLAIN = st.text(st.characters(codec="utf-8", exclude_characters="\x00\\"))


@given(
    st.recursive(
        PLAIN,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(PLAIN, children),
        max_leaves=12,
    )
)
def test_json_without_such_escapes_is_judged_storable_from_its_bytes(value: Any) -> None:
    # Written as UTF-8: escaped, characters past U+FFFF become pairs of surrogates, which are
    # storable but left to the slower search.
    assert json_storable(json.dumps(value, ensure_ascii=False).encode()) is True


@given(
    st.lists(STORABLE, max_size=4),
    st.integers(min_value=0, max_value=4),
    UNSTORABLE_TEXT,
)
def test_unstorable_text_is_found_wherever_it_is_in_a_list(
    before: list[str], position: int, bad: str
) -> None:
    values = list(before)
    index = min(position, len(values))
    values.insert(index, bad)
    assert find_unstorable({"outer": [{"inner": values}]}) == f"outer.0.inner.{index}"


# --- Every input of the API, from its schema ---------------------------------------------------


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = openapi_schema()
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


OPERATIONS = _operations()
# Real values for the path parameters of operations with a body, so that each reaches its body.
BODY_OPERATIONS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("/api/me/enrolments/", "post"): ("citizen", {"pilot": "smart-crosswalk"}),
    ("/api/me/enrolments/{pilot}/consent/", "post"): ("citizen", {"consent_version": 1}),
    ("/api/me/enrolments/{pilot}/withdraw/", "post"): ("citizen", {"delete_feedback": False}),
    ("/api/me/surveys/{id}/answers/", "put"): ("citizen", {"answers": []}),
    ("/api/pilots/{slug}/evaluation-plan/", "put"): ("manager", {"indicators": []}),
    ("/api/reports/", "post"): ("citizen", {"description": "A broken kerb"}),
}
# Device ingest reads its own body (and is answered by its own endpoint in production).
RAW_BODY_OPERATIONS = {("/api/sensors/readings", "post")}


def _fill(path: str, world: dict[str, Any], value: str | None = None) -> str:
    real = {"pilot": world["pilot"].slug, "slug": world["pilot"].slug, "id": world["survey"].pk}
    return re.sub(
        r"{(\w+)}",
        lambda match: quote(value, safe="") if value is not None else str(real.get(match[1], 1)),
        path,
    )


def test_every_operation_with_a_body_is_covered_below() -> None:
    with_body = {
        (path, method) for path, method, operation in OPERATIONS if "requestBody" in operation
    }
    assert with_body == set(BODY_OPERATIONS) | RAW_BODY_OPERATIONS


@SLOW
@given(UNSTORABLE_IN_URLS)
def test_every_api_path_parameter_refuses_unstorable_text(world: dict[str, Any], text: str) -> None:
    client = _client(world["citizen"])
    for path, method, operation in OPERATIONS:
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "path":
                continue
            url = _fill(path, world, text)
            response = client.generic(method.upper(), url)
            _refused_in_the_api_shape(response, "path")


@SLOW
@given(UNSTORABLE_IN_URLS)
def test_every_api_query_parameter_refuses_unstorable_text(
    world: dict[str, Any], text: str
) -> None:
    client = _client(world["citizen"])
    for path, method, operation in OPERATIONS:
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            response = client.generic(
                method.upper(), f"{_fill(path, world)}?{name}={quote(text, safe='')}"
            )
            _refused_in_the_api_shape(response, name)


@SLOW
@given(UNSTORABLE_TEXT)
def test_every_api_json_body_refuses_unstorable_text_in_any_field(
    world: dict[str, Any], text: str
) -> None:
    for (path, method), (who, fields) in BODY_OPERATIONS.items():
        client = _client(world[who])
        for name in fields:
            body = {**fields, name: text}
            response = client.generic(
                method.upper(),
                _fill(path, world),
                json.dumps(body),
                content_type="application/json",
            )
            _refused_in_the_api_shape(response, name)
        # Nested, and in a key.
        nested = {**fields, "extra": [{"deep": text}], text: 1}
        response = client.generic(
            method.upper(), _fill(path, world), json.dumps(nested), content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "unstorable_text"


# --- Every form of the pages -------------------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: where each goes and its fields with their values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given_attrs = {key: value or "" for key, value in attrs}
        if tag == "form" and given_attrs.get("method", "get").lower() == "post":
            self._current = {}
            self.forms.append((given_attrs.get("action", ""), self._current))
        elif tag in {"input", "textarea", "select"} and self._current is not None:
            name = given_attrs.get("name")
            kind = given_attrs.get("type", "text")
            if name and kind not in {"file", "submit", "button", "image"}:
                self._current.setdefault(name, given_attrs.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _page_routes() -> list[str]:
    """Every page the URL configuration names without parameters (not the API or the admin)."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if "<" in route or "(" in route or route.startswith("^"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            else:
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return [
        route
        for route in found
        if not route.startswith(("/api/", "/admin/", "/open311/", "/i18n/"))
        and not route.endswith((".json", ".csv", ".xml", ".geojson"))
    ]


def _forms_of(client: Client, url: str) -> list[tuple[str, dict[str, str]]]:
    response = client.get(url)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return []
    parser = _Forms()
    parser.feed(response.content.decode())
    return [(action or url, fields) for action, fields in parser.forms if fields]


@pytest.fixture
def page_forms(world: dict[str, Any]) -> list[tuple[Client, str, dict[str, str]]]:
    """Each form of each page, for the person who sees it, collected once per test."""
    pilot: Pilot = world["pilot"]
    UserFactory.create(username="outsider-verified")
    pages = [
        *_page_routes(),
        pilot.get_absolute_url(),
        f"/pilots/{pilot.slug}/join/",
        f"/pilots/{pilot.slug}/withdraw/",
        f"/pilots/{pilot.slug}/surveys/{world['survey'].pk}/",
    ]
    collected: list[tuple[Client, str, dict[str, str]]] = []
    for client in (_client(), _client(world["citizen"])):
        for url in pages:
            for action, fields in _forms_of(client, url):
                collected.append((client, urlsplit(action).path or url, fields))
    staff = _client(world["manager"])
    for url in ["/admin/pilots/pilot/add/", "/admin/login/"]:
        for action, fields in _forms_of(staff, url):
            collected.append((staff, urlsplit(action).path or url, fields))
    # The header's forms (language, log out) are on every page: once each is enough.
    unique = {
        (id(client), url, tuple(sorted(fields))): (client, url, fields)
        for client, url, fields in collected
    }
    return list(unique.values())


def test_the_pages_show_many_forms_to_try(page_forms: list[Any]) -> None:
    # Sign-up, log-in, password reset, language, join, withdraw, ask, survey, report, admin...
    assert len(page_forms) >= 15
    assert sum(len(fields) for _client, _url, fields in page_forms) >= 60


@SLOW
@given(UNSTORABLE_IN_URLS)
def test_every_form_field_refuses_unstorable_text(
    page_forms: list[tuple[Client, str, dict[str, str]]], text: str
) -> None:
    for client, url, fields in page_forms:
        for name in fields:
            response = client.post(url, {**fields, name: text})
            _refused_with_the_page(response, name)
