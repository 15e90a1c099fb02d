"""The Celery app; it discovers `tasks.py` in every installed app."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import beat_init, celeryd_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def _check_worker_services(**_kwargs: Any) -> None:
    """Stop `celery worker` at once, with one line, if a service its tasks use cannot be used.

    Celery would otherwise wait for the broker for ever, and tasks would fail one by one on the
    database. Sent by the worker program only, not by the test suite's in-process workers.
    """
    from portal.preflight import check_or_exit

    check_or_exit(database=True, redis=True, broker=True)


@beat_init.connect
def _check_beat_services(**_kwargs: Any) -> None:
    """Stop `celery beat` at once, with one line, if the broker it sends to cannot be used."""
    from portal.preflight import check_or_exit

    check_or_exit(database=False, redis=False, broker=True)


# Seconds a worker process keeps its database connection between tasks.
WORKER_CONN_MAX_AGE = 600


@worker_process_init.connect
def _keep_database_connections(**_kwargs: Any) -> None:
    """Let each worker process keep its database connection from task to task.

    Web servers close theirs after every request (`DATABASE_CONN_MAX_AGE`, 0 under ASGI, where
    requests run in threads of their own); a worker process runs one task at a time in one
    thread, so one kept connection per process is safe, and opening a new one for every task
    would cost more than a small batch's whole processing. Health checks replace a connection
    that the database closed meanwhile.
    """
    from django.db import connections

    for connection in connections.all():
        # A pool is for the many threads of a web server; a forked worker process could inherit
        # its parent's, whose maintenance thread did not survive the fork.
        connection.settings_dict.get("OPTIONS", {}).pop("pool", None)
        connection.settings_dict["CONN_MAX_AGE"] = WORKER_CONN_MAX_AGE
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Queue the task registered as `task_name` once the current transaction commits.

    Services name the task (its dotted path) rather than import it: the task module imports the
    service it wraps, never the other way round, so the two never form an import cycle.

    Outside a transaction the task is queued at once. What it needs is committed by then, so a
    broker that cannot take the task is logged rather than raised: raising would turn the
    caller's committed change into an error. A caller that must not lose the task keeps a sweep
    that queues it again (sensors' ingest batches are requeued every minute).
    """
    from django.db import transaction
    from django.utils.module_loading import import_string
    from kombu.exceptions import OperationalError

    task = import_string(task_name)

    def send() -> None:
        try:
            task.delay(*args)
        except (OSError, OperationalError):
            logging.getLogger(__name__).exception("Could not queue %s%r", task_name, args)

    transaction.on_commit(send)
