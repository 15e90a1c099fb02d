"""The Living Lab Portal project package and its citizen-facing app."""

from __future__ import annotations

# Loaded with Django so that @shared_task binds to the portal's Celery app.
from portal.celery import app as celery_app

__all__ = ["celery_app"]
