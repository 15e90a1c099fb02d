"""The settings read the environment and refuse values they cannot use, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "kq3V8m2Pz9rT1wX6yB4nD7cF0hJ5lS8aG2eR6tY9uI3oP1zQ7vN4",
    "DJANGO_ALLOWED_HOSTS": "livinglab.seoul.example",
}


def run_django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Start Python with only the given portal variables set and run `code` after setup."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "MQTT_"))
    }
    script = f"import django; django.setup(); {code}"
    return subprocess.run(  # noqa: S603 - our own interpreter and code.
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_variables_means_the_embedded_defaults() -> None:
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'], s.DEBUG)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]


def test_service_urls_switch_to_the_real_services() -> None:
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CHANNEL_LAYERS['default']['BACKEND'], s.CACHES['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.MQTT_URL)",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/livinglab",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
        MQTT_URL="mqtt://127.0.0.1:1883",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "livinglab",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
        "False",
        "redis://127.0.0.1:6379/1",
        "mqtt://127.0.0.1:1883",
    ]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/portal"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_URL", "redis://127.0.0.1:notaport"),
        ("CELERY_BROKER_URL", "kafka://127.0.0.1"),
        ("MQTT_URL", "tcp://127.0.0.1:1883"),
        ("DATABASE_URL", "postgres://"),
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
        ("DJANGO_MEDIA_STORAGE", "not a class; rm -rf"),
        ("DJANGO_MEDIA_STORAGE_OPTIONS", "[1, 2]"),
        ("DJANGO_MEDIA_STORAGE_OPTIONS", "{bucket"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(variable: str, value: str) -> None:
    result = run_django("pass", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_uploads_go_to_the_storage_the_environment_names(tmp_path: Path) -> None:
    # Any class of Django's storage API will do; the file system's, with a location of its own,
    # stands in here for a django-storages backend and its options.
    result = run_django(
        "from django.core.files.base import ContentFile; "
        "from django.core.files.storage import default_storage as d; "
        "print(d.save('photo.txt', ContentFile(b'x')), d.location)",
        DJANGO_MEDIA_STORAGE="django.core.files.storage.FileSystemStorage",
        DJANGO_MEDIA_STORAGE_OPTIONS=f'{{"location": "{tmp_path}"}}',
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["photo.txt", str(tmp_path)]
    assert (tmp_path / "photo.txt").read_bytes() == b"x"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_django("pass", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr.splitlines()[-1]


def test_production_refuses_a_guessable_secret_key() -> None:
    result = run_django(
        "pass", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="ab" * 30, DJANGO_ALLOWED_HOSTS="example.org"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr.splitlines()[-1]


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = run_django("pass", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"])
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr.splitlines()[-1]


def test_the_deployment_checklist_is_clean_in_production() -> None:
    result = run_django(
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in (result.stdout + result.stderr)


def test_a_sqlite_file_url_is_accepted(tmp_path: Path) -> None:
    result = run_django(
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
        DATABASE_URL=f"sqlite:///{tmp_path}/portal.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{tmp_path}/portal.sqlite3"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root:hunter2@localhost/portal"),
        ("DATABASE_URL", "postgres://portal:hunter2@[::1/livinglab"),
        ("REDIS_URL", "redis://:hunter2@127.0.0.1:notaport/0"),
        # A password with an unquoted slash and at sign must not leak in pieces either.
        ("CELERY_BROKER_URL", "kafka://worker:hun/ter@2@127.0.0.1"),
    ],
)
def test_a_refused_url_is_quoted_without_its_password(variable: str, value: str) -> None:
    result = run_django("pass", **{variable: value})
    assert result.returncode != 0
    message = result.stderr.splitlines()[-1]
    assert variable in message
    assert "***@" in message
    for secret in ("hunter2", "hun", "ter@2"):
        assert secret not in result.stderr


def test_a_postgresql_url_without_a_host_uses_the_unix_socket() -> None:
    result = run_django(
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], repr(d['HOST']))",
        DATABASE_URL="postgres:///livinglab",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "livinglab", "''"]


def test_the_log_level_is_read_in_any_case() -> None:
    result = run_django(
        "import logging; print(logging.getLevelName(logging.getLogger().level))",
        DJANGO_LOG_LEVEL="warning",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WARNING"


def test_production_serves_the_collected_static_files_under_hashed_names(tmp_path: Path) -> None:
    result = run_django(
        "from django.core.management import call_command; "
        "from django.templatetags.static import static; "
        "from django.test import Client; "
        "call_command('collectstatic', interactive=False, verbosity=0); "
        "url = static('portal/css/site.css'); "
        "response = Client().get(url, secure=True); "
        "print(url, response.status_code, response['Cache-Control'])",
        **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_STATIC_ROOT": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    url, status, cache_control = result.stdout.split(maxsplit=2)
    assert url.startswith("/static/portal/css/site.")
    assert url != "/static/portal/css/site.css"
    assert status == "200"
    assert "immutable" in cache_control


def test_postgresql_connections_come_from_a_pool_unless_kept_the_old_way() -> None:
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    url = "postgres://postgres@127.0.0.1:5432/livinglab"

    pooled = run_django(code, DATABASE_URL=url, DATABASE_POOL_SIZE="4")
    kept = run_django(code, DATABASE_URL=url, DATABASE_CONN_MAX_AGE="60")
    off = run_django(code, DATABASE_URL=url, DATABASE_POOL_SIZE="0")

    assert pooled.returncode == 0, pooled.stderr
    assert "'max_size': 4" in pooled.stdout
    assert "pool" not in kept.stdout
    assert "pool" not in off.stdout


def test_connecting_and_waiting_for_the_pool_give_up_soon_unless_told_otherwise() -> None:
    code = (
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o['connect_timeout'], o['pool']['timeout'])"
    )
    url = "postgres://postgres@127.0.0.1:5432/livinglab"

    default = run_django(code, DATABASE_URL=url)
    changed = run_django(code, DATABASE_URL=f"{url}?connect_timeout=7", DATABASE_POOL_TIMEOUT="9")

    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["2", "5"]
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.split() == ["7", "9"]


def test_the_live_feeds_timings_are_read_from_the_environment() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SENSORS_LIVE_SNAPSHOT_MAX_AGE, s.SENSORS_LIVE_RECHECK_SECONDS, "
        "s.SENSORS_LIVE_GROUP_REFRESH_SECONDS)"
    )

    default = run_django(code)
    changed = run_django(
        code, SENSORS_LIVE_SNAPSHOT_MAX_AGE="30", SENSORS_LIVE_RECHECK_SECONDS="15"
    )
    refused = run_django(code, SENSORS_LIVE_RECHECK_SECONDS="soon")

    assert default.stdout.split() == ["60", "60", "3600"]
    assert changed.stdout.split() == ["30", "15", "3600"]
    assert refused.returncode != 0
    assert "SENSORS_LIVE_RECHECK_SECONDS" in refused.stderr.splitlines()[-1]
