"""The OpenAPI schema tells the truth about the API, and schemathesis proves it.

A production-mode server (uvicorn, DEBUG off) runs on the test database; schemathesis reads its
schema at /api/schema/ and runs every phase with every check over every operation, three times:
as an anonymous caller, as a citizen who joined a pilot (session cookie and CSRF token, as the
site's pages send them), and as a device posting readings with its token. Any server error,
answer outside the schema, undocumented status, invalid request accepted or valid request
refused fails the test, with schemathesis' report.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from pilots.models import Pilot
from portal.models import User
from sensors.models import HourRollup, MinuteRollup
from sensors.services.credentials import device_credential_issue
from tests.conftest import requires_postgres
from tests.evaluation.factories import NOW, devices, hourly_rollups, plan, sensor_indicator
from tests.pilots.factories import PilotFactory, join, survey
from tests.portal.factories import UserFactory, district
from tests.reports.factories import ReportFactory
from tests.sensors.factories import DeviceFactory, ReadingFactory, metric
from tests.spaces.factories import (
    CallFactory,
    OrganisationFactory,
    SpaceFactory,
    member,
    submitted_application,
)

pytestmark = [
    pytest.mark.services,
    requires_postgres,
    # The reference data the migrations load comes back through tests/conftest.py's fixture.
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
# Test cases per operation and phase: enough to reach every status an operation answers, few
# enough that the three runs take a couple of minutes on a CI machine.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))


@dataclass(frozen=True)
class World:
    """What the runs need: the citizen's session and CSRF token, and the device's token."""

    session_cookie: str
    csrf_token: str
    device_token: str


def _seed_world() -> World:
    """A small city: pilots, devices with readings, reports, spaces, calls and scorecards.

    Values are left null where the API allows it (a device outside any pilot, a report with
    no pilot), so that the answers show every shape the schema promises.
    """
    citizen: User = UserFactory.create(username="schema-citizen")
    pilot: Pilot = PilotFactory.create(title="Smart crosswalk", slug="smart-crosswalk")
    PilotFactory.create(slug="air-watch", phase=Pilot.Phase.RECRUITING, capacity=1)
    join(pilot, citizen)
    survey(pilot)

    public = DeviceFactory.create()
    in_pilot = DeviceFactory.create(pilot=pilot)
    pm25 = metric("pm25")
    now = timezone.now().replace(second=0, microsecond=0)
    for minutes in range(5):
        ReadingFactory.create(device=public, metric=pm25, time=now - dt.timedelta(minutes=minutes))
    MinuteRollup.objects.create(
        device=public, metric=pm25, bucket=now, count=1, min=1, max=3, sum=2, mean=2
    )
    HourRollup.objects.create(
        device=public,
        metric=pm25,
        bucket=now.replace(minute=0),
        count=2,
        min=1,
        max=3,
        sum=4,
        mean=2,
    )
    _credential, device_token = device_credential_issue(device=in_pilot, label="schema run")

    ReportFactory.create(reporter=citizen)
    ReportFactory.create(district=district("mapo-gu"), pilot=pilot, device=public)

    space = SpaceFactory.create()
    call = CallFactory.create()
    call.spaces.add(space)
    startup = OrganisationFactory.create()
    member(startup, citizen, owner=True)
    submitted_application(call, startup, citizen, space)

    ours, theirs = devices(2, pilot=pilot), devices(2, slug="mapo-gu")
    for device in [*ours, *theirs]:
        hourly_rollups(device, start=NOW - dt.timedelta(days=3), period_start=NOW)
    plan(pilot, [sensor_indicator([d.pk for d in ours], [d.pk for d in theirs])])

    client = Client()
    client.force_login(citizen)
    return World(
        session_cookie=client.cookies[settings.SESSION_COOKIE_NAME].value,
        csrf_token=_get_new_csrf_string(),
        device_token=device_token,
    )


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The server signs sessions with its secret key: the test logs the citizen in with the same one.
SECRET_KEY = secrets.token_urlsafe(50)


@pytest.fixture(name="world")
def world_fixture(settings: Settings) -> World:
    settings.SECRET_KEY = SECRET_KEY
    return _seed_world()


@pytest.fixture(name="server")
def server_fixture(world: World) -> Iterator[str]:
    """The base URL of uvicorn serving the portal in production mode on the test database."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # Throttling and the ingest's limits have tests of their own; here they would only stop
        # the runs halfway (one device posting thousands of readings a minute, wrong tokens).
        "API_THROTTLE_ANONYMOUS": "off",
        "API_THROTTLE_USER": "off",
        "SENSORS_DEVICE_READINGS_PER_MINUTE": "0",
        "SENSORS_TOKEN_FAILURE_LIMIT": "0",
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below.
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and the project's app.
        [
            sys.executable,
            "-m",
            "uvicorn",
            "portal.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _attempt in range(300):
            if server.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        if server.poll() is not None:
            log.seek(0)
            pytest.fail("the server exited: " + log.read().decode(errors="replace")[-3000:])
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.seek(0)
        errors = log.read().decode(errors="replace")
        log.close()
        if "Traceback" in errors:
            # Server errors show in schemathesis' report too; the traceback says where.
            print(errors[-6000:])


CONFIG = Path(__file__).with_name("schemathesis.toml")


def _schemathesis(server: str, *options: str, config: Path = CONFIG) -> str:
    """Run every phase with every check; fail with schemathesis' report unless all pass."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{server}/api/schema/?format=json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--no-color",
        "--header",
        "Accept-Language: en",
        *options,
    ]
    with tempfile.TemporaryDirectory() as reports:
        finished = subprocess.run(  # noqa: S603 - the schemathesis command line, our options.
            command,
            cwd=reports,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output
    print(output[output.find("=== SUMMARY") - 40 :])
    return output


def test_the_schema_holds_for_anonymous_callers(server: str) -> None:
    _schemathesis(server)


def test_the_schema_holds_for_a_citizen_who_joined_a_pilot(
    server: str, world: World, tmp_path: Path
) -> None:
    # The session cookie and the CSRF token go as the schema's security schemes name them
    # (portal.rest_schema), so that the checks of missing or wrong credentials can leave each
    # one out in turn; sent as fixed headers they would go with every request.
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.read_text()
        + f"""
[auth.openapi.cookieAuth]
api_key = "{world.session_cookie}"

[auth.openapi.csrfCookie]
api_key = "{world.csrf_token}"

[auth.openapi.csrfHeader]
api_key = "{world.csrf_token}"
"""
    )
    _schemathesis(
        server,
        # The device's endpoint has a run of its own, with a token.
        "--exclude-path",
        "/api/sensors/readings",
        config=config,
    )


def test_the_schema_holds_for_a_device_posting_readings(server: str, world: World) -> None:
    _schemathesis(
        server,
        "--header",
        f"Authorization: Token {world.device_token}",
        "--include-path",
        "/api/sensors/readings",
    )
