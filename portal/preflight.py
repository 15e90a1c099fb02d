"""Checks, as a process starts, that the services its settings name can be used.

Without them a wrong or unreachable DATABASE_URL shows only when the first query waits out the
connection pool, as a traceback that names neither the variable nor the remedy; a Redis that is
down shows only when the first live feed or task needs it. Each check here opens one short
connection, and a failure ends the process at once with one line that names the variable, where
it points (password hidden) and what to do.

The entry points call it: manage.py for each command, the ASGI and WSGI modules, and the Celery
worker and beat (portal.celery).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Commands that never open the database, so that they also work where there is none (collectstatic
# in an image build, say). Everything else is checked: even `check` and `makemigrations` look at
# the database, and a command that reaches it late fails late.
NO_SERVICES = frozenset(
    {
        "help",
        "version",
        "collectstatic",
        "findstatic",
        "compilemessages",
        "makemessages",
        "startapp",
        "startproject",
        "diffsettings",
        "build_district_geojson",
        # The test runner creates its own databases, beside the one DATABASE_URL names.
        "test",
    }
)
# Commands that serve the portal or take in readings: they also use the cache and the channel
# layer (REDIS_URL) and send tasks to the broker (CELERY_BROKER_URL). Channels' `runworker` runs
# consumers off the channel layer, which the portal's ASGI module would otherwise check only
# after the command has started and said so.
SERVING = frozenset({"runserver", "runworker", "demo", "mqtt_ingest"})

# gunicorn's arbiter takes a worker that exits with 3 as one that cannot boot and stops, where any
# other code would have it start the worker again and again. Any non-zero code will do elsewhere.
EXIT_CODE = 3

POSTGRES_PORT = 5432
REDIS_PORT = 6379
# Seconds to wait for Redis or the broker to answer. PostgreSQL's comes from the settings
# (connect_timeout, 2 s unless DATABASE_URL says otherwise), like every connection's.
CONNECT_TIMEOUT = 2


# What libpq says when the server at the address answers in another protocol than PostgreSQL's
# (a web server, say), with and without asking for TLS first.
NOT_POSTGRES = ("invalid response to SSL negotiation", "expected authentication request")


class ServiceUnavailable(Exception):
    """A service that the settings name cannot be used; the message is the one line to show."""


def check_command(argv: Sequence[str]) -> None:
    """Check the services that the manage.py command in `argv` needs, or exit with one line."""
    command = argv[1] if len(argv) > 1 else "help"
    if command.startswith("-") or command in NO_SERVICES:
        return
    serving = command in SERVING
    check_or_exit(database=True, redis=serving, broker=serving)


def check_or_exit(*, database: bool, redis: bool, broker: bool) -> None:
    """`check`, printing its one line to stderr and exiting when a service cannot be used."""
    # pytest-django creates the test databases itself (test_<name>, beside the one DATABASE_URL
    # names, which need not exist), and the tests that need Redis or a broker say so.
    if "pytest" in sys.modules:
        return
    try:
        check(database=database, redis=redis, broker=broker)
    except ServiceUnavailable as problem:
        print(problem, file=sys.stderr)
        raise SystemExit(EXIT_CODE) from None
    except ImproperlyConfigured:
        # A setting that cannot be used at all: Django reports it, naming the variable, when it
        # loads the settings for the command itself.
        return


def check(*, database: bool = True, redis: bool = False, broker: bool = False) -> None:
    """Raise ServiceUnavailable if a service that the settings name cannot be used.

    Only real services are checked: SQLite, the in-memory channel layer and inline tasks are
    always there.
    """
    if database:
        _check_database()
    if redis and settings.REDIS_URL:
        _check_redis("REDIS_URL", settings.REDIS_URL, "the cache and the live feeds' channel layer")
    if broker and settings.CELERY_BROKER_URL:
        _check_broker(settings.CELERY_BROKER_URL)


def _redact(url: str) -> str:
    # Imported here: importing the settings module reads the environment, which check_or_exit
    # leaves to Django when it cannot be used.
    from portal.settings import redact

    return redact(url)


# --- PostgreSQL -------------------------------------------------------------------------------


def _check_database() -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    import psycopg
    from django.db import connections

    url = _redact(os.environ.get("DATABASE_URL", "").strip()) or "DATABASES['default']"
    # The parameters Django itself would connect with, without the pool: one plain connection.
    params = connections.create_connection("default").get_connection_params()
    timeout = int(params.pop("connect_timeout", CONNECT_TIMEOUT))
    host = str(params.get("host") or "")
    port = int(params.get("port") or POSTGRES_PORT)
    dbname = str(params.get("dbname") or "")
    user = str(params.get("user") or "")
    where = f"{host}:{port}" if host else f"the local socket (port {port})"

    started = time.monotonic()
    try:
        psycopg.connect(**params, connect_timeout=timeout).close()
        return
    except psycopg.Error as exc:
        reason = _libpq_reason(exc)
    if time.monotonic() - started >= timeout - 0.1:
        raise ServiceUnavailable(
            f"DATABASE_URL {url}: PostgreSQL at {where} did not answer within {timeout} s; "
            "start PostgreSQL there, or correct the host and port in DATABASE_URL."
        )
    if host and not host.startswith("/") and not _listening(host, port, timeout):
        raise ServiceUnavailable(
            f"DATABASE_URL {url}: nothing answers at {where} ({reason}); "
            "start PostgreSQL there, or correct the host and port in DATABASE_URL."
        )
    if any(marker in reason for marker in NOT_POSTGRES):
        raise ServiceUnavailable(
            f"DATABASE_URL {url}: what answers at {where} is not PostgreSQL ({reason}); "
            "correct the host and port in DATABASE_URL, or start PostgreSQL there."
        )
    # The server says why in its own language (lc_messages); its catalogue says it in any.
    exists = _database_exists({**params, "dbname": "postgres"}, dbname, timeout)
    if exists is False:
        createdb = " ".join(
            ["createdb"]
            + ([f"-h {host}"] if host else [])
            + ([f"-p {port}"] if port != POSTGRES_PORT else [])
            + ([f"-U {user}"] if user else [])
            + [dbname]
        )
        raise ServiceUnavailable(
            f'DATABASE_URL {url}: database "{dbname}" does not exist on {where}; '
            f"create it with `{createdb}`, or correct the database name in DATABASE_URL."
        )
    if exists is True:
        raise ServiceUnavailable(
            f'DATABASE_URL {url}: PostgreSQL at {where} refused database "{dbname}" '
            f'({reason}); let user "{user}" connect to it, or correct DATABASE_URL.'
        )
    raise ServiceUnavailable(
        f'DATABASE_URL {url}: PostgreSQL at {where} refused user "{user}" ({reason}); '
        "correct the user or password in DATABASE_URL, or start PostgreSQL if it is not running."
    )


def _database_exists(params: dict[str, Any], dbname: str, timeout: int) -> bool | None:
    """Whether the server lists `dbname`, or None when it cannot be asked."""
    import psycopg

    try:
        with psycopg.connect(**params, connect_timeout=timeout) as maintenance:
            found = maintenance.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
    except psycopg.Error:
        return None
    return found is not None


def _libpq_reason(exc: Exception) -> str:
    """The last clause of libpq's first line: "Connection refused", "password authentication…"."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first.rsplit(" failed: ", 1)[-1].removeprefix("FATAL:").strip()


def _listening(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --- Redis and the broker ---------------------------------------------------------------------


def _check_redis(variable: str, url: str, purpose: str) -> None:
    import redis
    from redis import exceptions

    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=CONNECT_TIMEOUT,
    )
    kwargs = client.connection_pool.connection_kwargs
    where = f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', REDIS_PORT)}"
    remedy = f"{variable} {_redact(url)} ({purpose})"
    try:
        client.ping()
    except exceptions.AuthenticationError as exc:
        raise ServiceUnavailable(
            f"{remedy}: Redis at {where} refused the password ({exc}); "
            f"correct the password in {variable}."
        ) from None
    except exceptions.ConnectionError as exc:
        raise ServiceUnavailable(
            f"{remedy}: nothing answers at {where} ({_redis_reason(exc)}); "
            f"start Redis there, or correct {variable}."
        ) from None
    except exceptions.RedisError as exc:
        raise ServiceUnavailable(
            f"{remedy}: Redis at {where} refused the connection ({exc}); correct {variable}."
        ) from None
    finally:
        client.close()


def _redis_reason(exc: Exception) -> str:
    # redis-py says "Error 111 connecting to 127.0.0.1:1. Connection refused."; keep the last part.
    text = str(exc).strip().rstrip(".")
    return text.rsplit(". ", 1)[-1] or type(exc).__name__


def _check_broker(url: str) -> None:
    purpose = "the Celery broker"
    if url.startswith(("redis://", "rediss://")):
        _check_redis("CELERY_BROKER_URL", url, purpose)
        return
    from kombu import Connection

    where = _redact(url)
    try:
        with Connection(url, connect_timeout=CONNECT_TIMEOUT) as broker:
            broker.connect()
    except Exception as exc:  # Each transport raises errors of its own; any one means the same.
        raise ServiceUnavailable(
            f"CELERY_BROKER_URL {where} ({purpose}): cannot connect ({exc}); "
            "start the broker there, or correct CELERY_BROKER_URL."
        ) from None
