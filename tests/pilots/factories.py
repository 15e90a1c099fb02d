from __future__ import annotations

import datetime as dt

import factory

from pilots.models import Pilot
from tests.portal.factories import district


class PilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pilot
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Smart crosswalk {n}")
    slug = factory.Sequence(lambda n: f"smart-crosswalk-{n}")
    domain = Pilot.Domain.SAFETY
    phase = Pilot.Phase.RUNNING
    summary = "Crosswalks that see pedestrians and light up at night."
    start_date = dt.date(2026, 9, 1)
    end_date = dt.date(2027, 3, 1)

    @factory.post_generation
    def districts(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.districts.set([district(slug) for slug in (extracted or ["gangnam-gu"])])
