from __future__ import annotations

from factory.declarations import LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker

from sensors.models import Device, Metric, Reading
from tests.portal.factories import district


def metric(code: str = "pm25") -> Metric:
    """One of the catalogue's metrics, which a migration loads."""
    return Metric.objects.get(code=code)


class DeviceFactory(DjangoModelFactory[Device]):
    class Meta:
        model = Device

    name = Sequence(lambda n: f"gangnam-gu-air-quality-{n:03d}")
    kind = Device.Kind.AIR_QUALITY
    district = LazyFunction(district)
    latitude = 37.4967
    longitude = 127.0630


class ReadingFactory(DjangoModelFactory[Reading]):
    class Meta:
        model = Reading

    device = SubFactory(DeviceFactory)
    metric = LazyFunction(metric)
    time = Faker("date_time_this_month", tzinfo=__import__("datetime").UTC)
    value = 21.5
