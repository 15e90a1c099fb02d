"""A process stops at once, with one line saying what to do, when a service it needs is unusable.

Each test starts manage.py (or a Celery worker) the way a person would, with only the portal
variables it names, and times it: a wrong DATABASE_URL used to wait out the connection pool for
10 s and end in a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from portal import preflight

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-pw"
BUDGET_SECONDS = 3.0


def run(args: list[str], **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `args` in the project with only the given portal variables set; also its duration."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "MQTT_"))
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py.
        args,
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    return result, time.monotonic() - started


def manage(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    return run([sys.executable, "manage.py", *args], **env)


def the_one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


@pytest.fixture(name="postgres_server")
def postgres_server_fixture() -> tuple[str, int, str]:
    """(host, port, user) of a PostgreSQL server that answers: the tests' own, or the local one."""
    if settings.IS_POSTGRES:
        database = settings.DATABASES["default"]
        host = database["HOST"] or "127.0.0.1"
        return host, int(database["PORT"] or 5432), database["USER"] or "postgres"
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return "127.0.0.1", 5432, "postgres"
    except OSError:
        pytest.skip("needs a PostgreSQL server (DATABASE_URL, or one on 127.0.0.1:5432)")


@pytest.fixture(name="silent_port")
def silent_port_fixture() -> Iterator[int]:
    """A port that accepts connections and never says a word, like a server that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.fixture(name="web_server_port")
def web_server_port_fixture() -> Iterator[int]:
    """A port where a web server answers every connection, as a wrong port in a URL may find."""

    def answer(listener: socket.socket) -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        threading.Thread(target=answer, args=(listener,), daemon=True).start()
        yield int(listener.getsockname()[1])


def test_a_database_that_does_not_exist_stops_a_command_with_the_createdb_to_run(
    postgres_server: tuple[str, int, str],
) -> None:
    host, port, user = postgres_server
    url = f"postgres://{user}:{SECRET}@{host}:{port}/ll_no_such_database"

    result, seconds = manage("check", DATABASE_URL=url)

    assert result.returncode != 0
    assert seconds < BUDGET_SECONDS
    line = the_one_line(result)
    assert line.startswith("DATABASE_URL ")
    assert f"{host}:{port}" in line
    assert '"ll_no_such_database" does not exist' in line
    port_option = "" if port == 5432 else f"-p {port} "
    assert f"`createdb -h {host} {port_option}-U {user} ll_no_such_database`" in line
    assert SECRET not in result.stdout + result.stderr


def test_an_unreachable_database_server_stops_a_command_saying_to_start_postgresql() -> None:
    url = f"postgres://postgres:{SECRET}@127.0.0.1:1/livinglab"

    result, seconds = manage("migrate", "--check", DATABASE_URL=url)

    assert result.returncode != 0
    assert seconds < BUDGET_SECONDS
    line = the_one_line(result)
    assert line.startswith("DATABASE_URL postgres://postgres:***@127.0.0.1:1/livinglab")
    assert "nothing answers at 127.0.0.1:1" in line
    assert "start PostgreSQL there" in line
    assert SECRET not in result.stdout + result.stderr


def test_a_database_server_that_never_answers_is_given_up_on_within_the_budget(
    silent_port: int,
) -> None:
    # The same command against a port that refuses at once: what starting up costs, in this run.
    _refused, start_up = manage("check", DATABASE_URL="postgres://postgres@127.0.0.1:1/x")

    result, seconds = manage("check", DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent_port}/x")

    assert result.returncode != 0
    # The connect timeout (libpq's least, 2 s) beyond starting up: not the pool's 10 s.
    assert seconds - start_up < preflight.CONNECT_TIMEOUT + 1
    line = the_one_line(result)
    assert f"PostgreSQL at 127.0.0.1:{silent_port} did not answer within 2 s" in line
    assert "start PostgreSQL there" in line


def test_a_database_url_pointing_at_another_kind_of_server_says_it_is_not_postgresql(
    web_server_port: int,
) -> None:
    url = f"postgres://postgres:{SECRET}@127.0.0.1:{web_server_port}/livinglab"

    result, _seconds = manage("check", DATABASE_URL=url)

    assert result.returncode != 0
    line = the_one_line(result)
    assert line.startswith(f"DATABASE_URL postgres://postgres:***@127.0.0.1:{web_server_port}/")
    assert f"what answers at 127.0.0.1:{web_server_port} is not PostgreSQL" in line
    assert "correct the host and port in DATABASE_URL" in line
    assert SECRET not in result.stdout + result.stderr


def test_a_command_that_never_opens_the_database_runs_without_one() -> None:
    result, _seconds = manage("help", DATABASE_URL="postgres://postgres@127.0.0.1:1/livinglab")

    assert result.returncode == 0, result.stderr
    assert "Available subcommands" in result.stdout


def test_an_unreachable_redis_stops_the_server_naming_redis_url() -> None:
    result, seconds = manage(
        "runserver", "127.0.0.1:0", "--noreload", REDIS_URL=f"redis://:{SECRET}@127.0.0.1:1/0"
    )

    assert result.returncode != 0
    assert seconds < BUDGET_SECONDS
    line = the_one_line(result)
    assert line.startswith("REDIS_URL redis://:***@127.0.0.1:1/0")
    assert "nothing answers at 127.0.0.1:1" in line
    assert "start Redis there" in line
    assert SECRET not in result.stdout + result.stderr


def test_an_unreachable_redis_stops_a_channels_worker_before_it_says_it_runs() -> None:
    result, seconds = manage("runworker", "live", REDIS_URL=f"redis://:{SECRET}@127.0.0.1:1/0")

    assert result.returncode != 0
    assert seconds < BUDGET_SECONDS
    line = the_one_line(result)
    assert line.startswith("REDIS_URL redis://:***@127.0.0.1:1/0")
    assert "start Redis there" in line
    assert SECRET not in result.stdout + result.stderr


def test_a_command_that_does_not_need_redis_runs_without_it() -> None:
    result, _seconds = manage("check", REDIS_URL="redis://127.0.0.1:1/0")

    assert result.returncode == 0, result.stderr


def test_an_unreachable_broker_stops_a_celery_worker_naming_celery_broker_url() -> None:
    celery = str(Path(sys.executable).with_name("celery"))

    # Without the check the worker would wait for the broker for ever, past run's timeout.
    result, _seconds = run(
        [celery, "-A", "portal", "worker", "--pool", "solo"],
        CELERY_BROKER_URL="redis://127.0.0.1:1/1",
    )

    assert result.returncode != 0
    line = the_one_line(result)
    assert line.startswith("CELERY_BROKER_URL redis://127.0.0.1:1/1 (the Celery broker)")
    assert "start Redis there" in line


def test_the_check_names_an_unusable_redis_in_its_message(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    with pytest.raises(preflight.ServiceUnavailable, match=r"^REDIS_URL redis://127\.0\.0\.1:1/0"):
        preflight.check(database=False, redis=True)


def test_the_check_never_stops_a_test_run(settings: Any) -> None:
    # pytest-django makes its own test databases; the one DATABASE_URL names need not exist.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    preflight.check_or_exit(database=True, redis=True, broker=True)
