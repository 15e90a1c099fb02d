"""Celery tasks of the sensor pipeline; each loads by id and calls one service.

Services enqueue these by name (`portal.celery.enqueue_on_commit("sensors.tasks.<name>", ...)`);
only this module imports the services, so the two never form an import cycle.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from sensors.services.accepting import ingest_batches_requeue
from sensors.services.alerts import devices_check_silent
from sensors.services.processing import ingest_batch_process


# A database that is briefly away (restarting, out of connections) delays a batch; the periodic
# sweep picks up any batch whose retries ran out.
@shared_task(
    name="sensors.process_ingest_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=8,
)
def process_ingest_batch(batch_id: int) -> int:
    """Store, roll up and check an accepted batch. Late-acknowledged: a killed worker's batch is
    redelivered, and processing it again changes nothing that was already done."""
    return ingest_batch_process(batch_id=batch_id)


@shared_task(name="sensors.requeue_ingest_batches", acks_late=True)
def requeue_ingest_batches() -> int:
    return ingest_batches_requeue()


@shared_task(name="sensors.check_silent_devices", acks_late=True)
def check_silent_devices() -> int:
    return len(devices_check_silent())
