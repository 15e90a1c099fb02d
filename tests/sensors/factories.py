from __future__ import annotations

import factory

from sensors.models import Device, Metric, Reading
from tests.portal.factories import district


def metric(code: str = "pm25") -> Metric:
    """One of the catalogue's metrics, which a migration loads."""
    return Metric.objects.get(code=code)


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    name = factory.Sequence(lambda n: f"gangnam-gu-air-quality-{n:03d}")
    kind = Device.Kind.AIR_QUALITY
    district = factory.LazyFunction(district)
    latitude = 37.4967
    longitude = 127.0630


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    device = factory.SubFactory(DeviceFactory)
    metric = factory.LazyFunction(metric)
    time = factory.Faker("date_time_this_month", tzinfo=__import__("datetime").UTC)
    value = 21.5
