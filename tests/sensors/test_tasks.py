"""Batches processed by a real Celery worker on the Redis broker, and the periodic sweep."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from sensors.models import Device, IngestBatch, MinuteRollup, Reading
from sensors.services import ingest_batch_accept, ingest_batches_requeue
from tests.conftest import requires_broker, requires_postgres
from tests.sensors.factories import DeviceFactory


def wait_for(condition: Callable[[], object], *, attempts: int = 200) -> bool:
    """Poll until `condition()` holds; bounded, and no assertion on how long it took."""
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.05)
    return False


def forget_requeues() -> None:
    """Batch ids restart with each test database; the cache may remember an earlier test's."""
    from django.core.cache import cache

    cache.delete_many(
        [f"sensors:requeued:{pk}" for pk in IngestBatch.objects.values_list("id", flat=True)]
    )


@requires_broker
@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_posted_over_http_is_stored_by_a_real_worker(
    client: Client, public_device: Device, device_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from portal.celery import app

    # The worker thread closes its database connection after each task, as a worker process
    # would; a kept connection would outlive the test database.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)

    start = timezone.now() - dt.timedelta(minutes=30)
    body = [
        {"metric": "pm25", "time": (start + dt.timedelta(seconds=i)).isoformat(), "value": i % 50}
        for i in range(1_000)
    ]
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
        response = client.post(
            "/api/sensors/readings",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {device_token}",
        )
        assert response.json() == {"accepted": 1_000, "rejected": []}
        assert wait_for(lambda: not IngestBatch.objects.exists())

    assert Reading.objects.filter(device=public_device).count() == 1_000
    rolled = MinuteRollup.objects.filter(device=public_device).values_list("count", flat=True)
    assert sum(rolled) == 1_000
    public_device.refresh_from_db()
    assert public_device.last_seen_at is not None


@pytest.mark.django_db
def test_the_sweep_hands_stale_batches_to_the_workers_again(
    public_device: Device,
    eager_tasks: None,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.SENSORS_REQUEUE_AFTER = 60
    now = timezone.now()
    ingest_batch_accept(
        device=public_device,
        items=[{"metric": "pm25", "time": now.isoformat(), "value": 20}],
        source=IngestBatch.Source.MQTT,
        now=now - dt.timedelta(minutes=5),
    )
    ingest_batch_accept(
        device=public_device,
        items=[{"metric": "pm25", "time": now.isoformat(), "value": 20}],
        source=IngestBatch.Source.MQTT,
        now=now,
    )

    forget_requeues()
    # The periodic task runs outside a transaction, where the batches are enqueued at once.
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_batches_requeue(now=now) == 1

    assert not IngestBatch.objects.filter(received_at__lt=now).exists()
    assert Reading.objects.filter(device=public_device).count() == 1


@pytest.mark.django_db
def test_the_sweep_does_not_pile_up_tasks_for_a_batch_the_workers_have_not_reached(
    public_device: Device,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from sensors import tasks

    sent: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks.process_ingest_batch, "apply_async", lambda *a, **k: sent.append(a))
    now = timezone.now()
    ingest_batch_accept(
        device=public_device,
        items=[{"metric": "pm25", "time": now.isoformat(), "value": 20}],
        source=IngestBatch.Source.HTTP,
        now=now - dt.timedelta(minutes=5),
    )
    sent.clear()
    forget_requeues()

    with django_capture_on_commit_callbacks(execute=True):
        ingest_batches_requeue(now=now)
        ingest_batches_requeue(now=now + dt.timedelta(minutes=1))

    assert len(sent) == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_waiting_batches_along_but_not_those_of_a_device_busy_elsewhere() -> None:
    import psycopg
    from django.db import connection

    from sensors.services.processing import (
        DEVICE_LOCK_CLASS,
        MAX_READINGS_TAKEN_ALONG,
        ingest_batch_process,
    )

    now = timezone.now()
    head, waiting, busy, large = DeviceFactory.create_batch(4)
    ids = {}
    for device in (head, waiting, busy, large):
        count = MAX_READINGS_TAKEN_ALONG + 1 if device == large else 1
        checked = ingest_batch_accept(
            device=device,
            items=[
                {"metric": "pm25", "time": (now - dt.timedelta(seconds=i)).isoformat(), "value": 20}
                for i in range(count)
            ],
            source=IngestBatch.Source.HTTP,
            now=now,
        )
        assert checked.accepted == count
        ids[device.pk] = IngestBatch.objects.get(device=device).pk
    # Another worker is in the middle of `busy`'s batches: it holds that device's lock.
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        dbname=database["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [DEVICE_LOCK_CLASS, busy.pk])

        stored = ingest_batch_process(batch_id=ids[head.pk])

    assert stored == 2
    # A large batch is left to its own task, which keeps the workers busy side by side.
    assert set(IngestBatch.objects.values_list("device_id", flat=True)) == {busy.pk, large.pk}
    assert set(Reading.objects.values_list("device_id", flat=True)) == {head.pk, waiting.pk}
    assert ingest_batch_process(batch_id=ids[waiting.pk]) == 0
    assert ingest_batch_process(batch_id=ids[busy.pk]) == 1
