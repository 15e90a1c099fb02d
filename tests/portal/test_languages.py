"""District names in Korean and English, and the marks for text shown in the other language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal import languages, selectors
from portal.models import District, User
from tests.portal.factories import district

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_a_district_is_named_in_the_readers_language() -> None:
    gangnam = district("gangnam-gu")

    with translation.override("ko"):
        assert (gangnam.name, str(gangnam)) == ("강남구", "강남구")
    with translation.override("en"):
        assert (gangnam.name, str(gangnam)) == ("Gangnam-gu", "Gangnam-gu")


def test_a_district_without_an_english_name_falls_back_to_korean_marked() -> None:
    District.objects.filter(slug="mapo-gu").update(name_en="")
    mapo = district("mapo-gu")

    with translation.override("en"):
        assert mapo.name == "마포구"
        assert languages.fallback_language(mapo, "name") == "ko"
        assert str(languages.marked(mapo, "name")) == (
            '<span lang="ko">마포구</span> <small class="lang-note" lang="en">(in Korean)</small>'
        )
    with translation.override("ko"):
        assert languages.fallback_language(mapo, "name") == ""
        assert str(languages.marked(mapo, "name")) == "마포구"


def test_the_district_geojson_keeps_both_names_for_the_map() -> None:
    collection = selectors.district_feature_collection(District.objects.filter(slug="jung-gu"))

    (feature,) = collection["features"]
    assert feature["properties"]["name_ko"] == "중구"
    assert feature["properties"]["name_en"] == "Jung-gu"


def test_the_district_admin_has_the_name_in_both_languages(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)

    response = client.get(reverse("admin:portal_district_change", args=[district().pk]))

    form = response.context["adminform"].form
    assert {"name_ko", "name_en"} <= set(form.fields)
    assert form.fields["name_ko"].required
    assert not form.fields["name_en"].required


def test_a_text_written_in_the_readers_language_is_not_marked() -> None:
    gangnam = district("gangnam-gu")

    with translation.override("en"):
        assert languages.fallback_language(gangnam, "name") == ""


MIGRATE_AND_READ = """
import json
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

before = [
    ("portal", "0004_reports_move_out"),
    ("pilots", "0006_notifications_move_out"),
    ("sensors", "0005_credential_label"),
]
executor = MigrationExecutor(connection)
executor.migrate(before)
old = executor.loader.project_state(before).apps
pilot = old.get_model("pilots", "Pilot").objects.create(
    slug="old", title="옛 시범사업", summary="예전 요약", domain="safety", partner="협력 기관"
)
survey = old.get_model("pilots", "Survey").objects.create(
    pilot=pilot, title="옛 설문", introduction="예전 안내", phase="running"
)
old.get_model("pilots", "SurveyQuestion").objects.create(
    survey=survey, kind="choice", prompt="언제?", choices="아침\\n밤"
)
old.get_model("pilots", "ConsentVersion").objects.create(pilot=pilot, number=1, text="동의")

executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
with connection.cursor() as cursor:
    cursor.execute("SELECT title_ko, title_en, summary_ko, partner_ko FROM pilots_pilot")
    pilots = cursor.fetchall()
    cursor.execute("SELECT title_ko, introduction_ko FROM pilots_survey")
    surveys = cursor.fetchall()
    cursor.execute("SELECT prompt_ko, choices_ko FROM pilots_surveyquestion")
    questions = cursor.fetchall()
    cursor.execute("SELECT text_ko FROM pilots_consentversion")
    consents = cursor.fetchall()
    cursor.execute("SELECT name, name_ko, name_en FROM portal_district WHERE slug = 'jung-gu'")
    districts = cursor.fetchall()
    cursor.execute("SELECT name, name_ko, name_en FROM sensors_metric WHERE code = 'noise'")
    metrics = cursor.fetchall()
print(json.dumps([pilots, surveys, questions, consents, districts, metrics]))
"""


def test_migrating_keeps_todays_korean_content_in_the_korean_columns(tmp_path: Path) -> None:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "MQTT_"))
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own script.
        [sys.executable, "-c", MIGRATE_AND_READ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    pilots, surveys, questions, consents, districts, metrics = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert pilots == [["옛 시범사업", None, "예전 요약", "협력 기관"]]
    assert surveys == [["옛 설문", "예전 안내"]]
    assert questions == [["언제?", "아침\n밤"]]
    assert consents == [["동의"]]
    assert districts == [["중구", "중구", "Jung-gu"]]
    assert metrics == [["소음", "소음", "Noise"]]
