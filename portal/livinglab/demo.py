"""Realistic demo data: pilots across domains and phases, devices in districts, a week of readings.

Each app seeds its own part (`portal.demo`, `pilots.demo`, `sensors.demo`, `portal.reports.demo`);
this module runs them in order. Every step is idempotent (natural keys, readings on a fixed time
grid with conflicts ignored), so running the demo twice duplicates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pilots import demo as pilots_demo
from pilots.evaluation import demo as evaluation_demo
from portal import demo as portal_demo
from portal.cache import Scope, cache_version_bump
from portal.models import User
from portal.reports import demo as reports_demo
from portal.spaces import demo as spaces_demo
from sensors import demo as sensors_demo


@dataclass(frozen=True)
class DemoResult:
    districts: int
    pilots: int
    devices: int
    readings_added: int
    reports: int


def seed(*, now: datetime | None = None) -> DemoResult:
    """Create or refresh the demo data; returns what there is afterwards.

    `now` places the week of readings and the pilots' dates; two runs given the same `now` find
    nothing to add the second time.
    """
    now = now or timezone.now()
    districts = portal_demo.seed_districts()
    with transaction.atomic():
        pilots = pilots_demo.seed_pilots(today=timezone.localdate(now))
        devices = sensors_demo.seed_devices(pilots)
        reports = reports_demo.seed_reports()
        spaces_demo.seed_spaces(today=timezone.localdate(now))
    readings_added = sensors_demo.seed_readings(devices, now=now)
    evaluation_demo.seed_evaluations(pilots, now=now)
    # Seeding writes rows directly, not through the services: pages a shared cache kept from an
    # earlier run must go.
    cache_version_bump(*Scope)
    return DemoResult(
        districts=districts,
        pilots=len(pilots),
        devices=len(devices),
        readings_added=readings_added,
        reports=reports,
    )


def manager_login(*, password: str) -> User:
    """The demo's pilot manager, managing every demo pilot; its password is (re)set each run."""
    manager = portal_demo.manager_login(password=password)
    pilots_demo.managers_add(manager=manager)
    return manager
