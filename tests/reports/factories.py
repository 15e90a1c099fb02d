from __future__ import annotations

import factory

from portal.reports.models import Report
from tests.portal.factories import UserFactory, district


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    category = Report.Category.ROAD
    description = "A broken kerb by the crossing."
    district = factory.LazyFunction(district)
    latitude = factory.LazyAttribute(lambda report: report.district.center_latitude)
    longitude = factory.LazyAttribute(lambda report: report.district.center_longitude)
    reporter = factory.SubFactory(UserFactory)
