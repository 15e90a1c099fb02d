"""Celery tasks of evaluation: each loads by id and calls one service."""

from __future__ import annotations

from celery import shared_task

from pilots.evaluation import services
from pilots.models import Pilot


@shared_task(name="evaluation.pilots_score", acks_late=True)
def pilots_score() -> int:
    """Score every running and evaluating pilot; the nightly beat entry. Each run adds
    scorecards, so running it twice only keeps one more point of history."""
    return services.pilots_score()


@shared_task(name="evaluation.pilot_score", acks_late=True)
def pilot_score(pilot_id: int) -> int:
    pilot = Pilot.objects.get(pk=pilot_id)
    return services.pilot_score(pilot=pilot).pk
