"""Celery tasks of the sensor pipeline; each loads by id and calls one service."""

from __future__ import annotations

from celery import shared_task

from sensors import services


@shared_task(name="sensors.process_ingest_batch", acks_late=True, reject_on_worker_lost=True)
def process_ingest_batch(batch_id: int) -> int:
    """Store, roll up and check an accepted batch. Late-acknowledged: a killed worker's batch is
    redelivered, and processing it again changes nothing that was already done."""
    return services.ingest_batch_process(batch_id=batch_id)


@shared_task(name="sensors.requeue_ingest_batches", acks_late=True)
def requeue_ingest_batches() -> int:
    return services.ingest_batches_requeue()


@shared_task(name="sensors.check_silent_devices", acks_late=True)
def check_silent_devices() -> int:
    return len(services.devices_check_silent())
