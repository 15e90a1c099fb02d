"""Cached pages: shared by anonymous visitors only, per language, each with their own CSRF token."""

from __future__ import annotations

import gzip
import re
import zlib

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries, Settings

from pilots.models import Pilot
from portal import cache as page_cache
from portal.cache import GzipBody, PlainBody, crc32_combine, crc32_shift, split_at_token
from portal.models import User
from tests.pilots.factories import PilotFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def token_in(page: str) -> str:
    found: set[str] = set(TOKEN.findall(page))
    assert len(found) == 1
    return found.pop()


def anonymous(language: str = "ko") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


# --- The pieces -------------------------------------------------------------------------------


@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_checksums_combine_as_zlib_computes_them_whole(first: bytes, second: bytes) -> None:
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), crc32_shift(len(second)))

    assert combined == zlib.crc32(first + second)


@given(
    st.lists(st.binary(max_size=2000), min_size=1, max_size=4),
    st.text(alphabet="abcXYZ019", min_size=1, max_size=64),
)
def test_a_compressed_page_opens_to_the_page_with_the_token_put_in(
    parts: list[bytes], token: str
) -> None:
    body = GzipBody.compress(tuple(parts))

    assert gzip.decompress(body.fill(token.encode())) == token.encode().join(parts)


def test_a_page_larger_than_the_compression_window_survives_its_holes() -> None:
    parts = (bytes(range(256)) * 400, b"<form>" * 20_000, b"")

    body = GzipBody.compress(parts)

    assert gzip.decompress(body.fill(b"T" * 64)) == (b"T" * 64).join(parts)
    assert PlainBody(parts).fill(b"x") == b"x".join(parts)


def test_every_compressed_answer_has_a_file_name_of_random_length_against_breach() -> None:
    body = GzipBody.compress((b"<p>page</p>" * 50, b"rest"))

    lengths = {len(body.fill(b"t" * 64)) for _ in range(20)}

    assert len(lengths) > 1


def test_a_page_is_cut_wherever_its_token_is_written() -> None:
    token = b"A" * 64
    page = (
        b'<form><input type="hidden" name="csrfmiddlewaretoken" value="' + token + b'"></form>'
        b'<div data-csrf="' + token + b'"></div>'
    )

    parts = split_at_token(page)

    assert len(parts) == 3
    assert token not in b"".join(parts)


def test_a_page_with_two_tokens_cannot_be_shared() -> None:
    page = b"".join(
        b'<input type="hidden" name="csrfmiddlewaretoken" value="' + letter * 64 + b'">'
        for letter in (b"A", b"B")
    )

    with pytest.raises(ValueError, match="more than one"):
        split_at_token(page)


def test_a_page_with_a_nonce_cannot_be_shared() -> None:
    with pytest.raises(ValueError, match="nonce"):
        split_at_token(b'<p>page</p><script nonce="r4nd0m" src="/static/app.js"></script>')


# --- Pages ------------------------------------------------------------------------------------


def test_a_second_anonymous_visitor_gets_the_home_page_without_a_query(
    db: None, pilot: Pilot, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = anonymous().get("/").content.decode()

    with django_assert_num_queries(0):
        second = anonymous().get("/").content.decode()

    assert TOKEN.sub("", second) == TOKEN.sub("", first)
    assert "Smart crosswalk" in second


def test_each_visitor_gets_a_token_of_their_own_that_works_only_for_them(
    db: None, pilot: Pilot
) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = token_in(first.get("/pilots/").content.decode())
    second_token = token_in(second.get("/pilots/").content.decode())

    assert first_token != second_token
    stolen = first.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": second_token})
    assert stolen.status_code == 403
    own = second.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": second_token})
    assert own.status_code == 302


def test_korean_and_english_pages_are_kept_apart(db: None, pilot: Pilot) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(title_ko="스마트 횡단보도", title_en="Smart crosswalk")
    for _round in range(2):
        korean = anonymous("ko").get("/pilots/").content.decode()
        english = anonymous("en").get("/pilots/").content.decode()

        assert '<html lang="ko"' in korean
        assert "스마트 횡단보도" in korean
        assert "Smart crosswalk" not in korean
        assert '<html lang="en"' in english
        assert "Smart crosswalk" in english
        assert "스마트 횡단보도" not in english


def test_a_language_chosen_by_cookie_gets_its_own_page(db: None, pilot: Pilot) -> None:
    anonymous("ko").get("/")
    chooser = anonymous("ko")
    chooser.cookies["django_language"] = "en"

    assert '<html lang="en"' in chooser.get("/").content.decode()


def test_logged_in_residents_get_their_own_pages_and_leave_none_behind(
    db: None, pilot: Pilot, citizen: User, outsider: User
) -> None:
    anonymous().get("/")
    mine, theirs = Client(), Client()
    mine.force_login(citizen)
    theirs.force_login(outsider)

    assert "Log out citizen" in mine.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = theirs.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log out outsider" in page
    assert "citizen" not in page
    visitor = anonymous("en").get("/").content.decode()
    assert "Log out" not in visitor
    assert "Log in" in visitor


def test_a_message_goes_to_its_visitor_only_and_only_once(db: None, citizen: User) -> None:
    leaving = Client(HTTP_ACCEPT_LANGUAGE="en")
    leaving.force_login(citizen)
    anonymous("en").get("/")

    leaving.post("/me/delete/", {"password": "correct horse battery staple"})

    farewell = "Your account and personal data have been deleted."
    assert farewell in leaving.get("/").content.decode()
    assert farewell not in anonymous("en").get("/").content.decode()
    assert farewell not in leaving.get("/").content.decode()


def test_answers_vary_by_cookie_language_and_encoding_and_come_compressed(
    db: None, pilot: Pilot
) -> None:
    plain = anonymous().get("/pilots/")
    for _round in range(2):
        compressed = anonymous().get("/pilots/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

        assert compressed["Content-Encoding"] == "gzip"
        assert int(compressed["Content-Length"]) == len(compressed.content)
        vary = {name.strip() for name in compressed["Vary"].split(",")}
        assert {"Cookie", "Accept-Language", "Accept-Encoding"} <= vary
        page = gzip.decompress(compressed.content).decode()
        assert TOKEN.sub("", page) == TOKEN.sub("", plain.content.decode())
    assert "Content-Encoding" not in plain


def test_made_up_query_parameters_are_rendered_every_time(
    db: None, pilot: Pilot, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    anonymous().get("/pilots/?utm_source=newsletter")

    with django_assert_max_num_queries(10) as captured:
        anonymous().get("/pilots/?utm_source=newsletter")

    assert len(captured) > 0


def test_filtered_pages_are_kept_one_by_one(db: None, pilot: Pilot) -> None:
    PilotFactory.create(title="Night bus", phase=Pilot.Phase.PROPOSED)

    running = anonymous("en").get("/pilots/?phase=running").content.decode()
    proposed = anonymous("en").get("/pilots/?phase=proposed").content.decode()

    assert "Smart crosswalk" in running
    assert "Night bus" not in running
    assert "Night bus" in proposed
    assert "Smart crosswalk" not in proposed


def test_no_cache_time_turns_the_cache_off(
    db: None,
    pilot: Pilot,
    settings: Settings,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    anonymous().get("/pilots/")

    with django_assert_max_num_queries(10) as captured:
        anonymous().get("/pilots/")

    assert len(captured) > 0


def test_the_api_lists_are_the_same_bytes_for_everyone_in_each_language(
    db: None, pilot: Pilot, citizen: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(title_ko="스마트 횡단보도", title_en="Smart crosswalk")
    korean = anonymous("ko").get("/api/pilots/", HTTP_ACCEPT="application/json")
    english = anonymous("en").get("/api/pilots/", HTTP_ACCEPT="application/json")
    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(citizen)

    with django_assert_num_queries(2):  # The session and its user; the list comes cached.
        again = member.get("/api/pilots/", HTTP_ACCEPT="application/json")

    assert korean.json()["results"][0]["title"] == "스마트 횡단보도"
    assert english.json()["results"][0]["title"] == "Smart crosswalk"
    assert again.content == english.content
    assert again["Content-Type"] == "application/json"
    assert {"Accept", "Cookie"} <= {name.strip() for name in again["Vary"].split(",")}


def test_the_browsable_api_is_rendered_for_its_reader(db: None, citizen: User) -> None:
    anonymous("en").get("/api/pilots/", HTTP_ACCEPT="text/html")
    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(citizen)

    assert "citizen" in member.get("/api/pilots/", HTTP_ACCEPT="text/html").content.decode()


def test_api_throttles_count_cached_answers_too(db: None, settings: Settings) -> None:
    settings.API_THROTTLE_ANONYMOUS = "2/minute"
    caller = anonymous()

    answers = [caller.get("/api/devices/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_a_change_made_through_another_process_shows_once_this_one_checks_again(
    db: None, pilot: Pilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache, "VERSIONS_CHECKED_EVERY", 60.0)
    assert "Smart crosswalk" in anonymous("en").get("/pilots/").content.decode()
    Pilot.objects.filter(pk=pilot.pk).update(title_en="Smart crossing")
    # Another server process made the change: it bumped the version in the shared cache only.
    cache.set("cache-version:pilots", "bumped-elsewhere", timeout=None)

    assert "Smart crosswalk" in anonymous("en").get("/pilots/").content.decode()
    monkeypatch.setattr(page_cache, "VERSIONS_CHECKED_EVERY", 0.0)
    assert "Smart crossing" in anonymous("en").get("/pilots/").content.decode()
