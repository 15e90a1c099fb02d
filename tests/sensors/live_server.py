"""A real ASGI server (runserver, which serves daphne and static files) on the test database.

Import the fixtures into a test module to use them. They need PostgreSQL, which the server process
shares with the test, and the Redis channel layer, which carries readings from wherever they are
processed to the server's live feeds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    from celery.worker import WorkController

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(name="asgi_server")
def asgi_server_fixture(transactional_db: None) -> Iterator[str]:
    """`host:port` of a server process that sees what the test commits."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_DEBUG": "1"}
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below.
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py.
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _attempt in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("the ASGI server did not start")
        if server.poll() is not None:
            log.seek(0)
            pytest.fail("the ASGI server exited: " + log.read().decode(errors="replace")[-2000:])
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(name="worker")
def worker_fixture(transactional_db: None) -> Iterator[WorkController | None]:
    """A real Celery worker in this process when a broker is configured; else tasks run inline."""
    if not settings.CELERY_BROKER_URL:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1) as running:
        yield running
