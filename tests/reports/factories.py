from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, SubFactory
from factory.django import DjangoModelFactory
from PIL import Image

from portal.reports.models import Category, Report
from portal.reports.services.geo import map_cells
from tests.portal.factories import UserFactory, district


def category(code: str = "road") -> Category:
    """One of the categories the migrations load."""
    return Category.objects.get(code=code)


class ReportFactory(DjangoModelFactory[Report]):
    class Meta:
        model = Report

    category = LazyFunction(category)
    description = "A broken kerb by the crossing."
    district = LazyFunction(district)
    latitude = LazyAttribute(lambda report: report.district.center_latitude)
    longitude = LazyAttribute(lambda report: report.district.center_longitude)
    reporter = SubFactory(UserFactory)
    due_at = LazyAttribute(
        lambda report: timezone.now() + datetime.timedelta(days=report.category.target_days)
    )

    @classmethod
    def _create(cls, model_class: type[Report], *args: Any, **kwargs: Any) -> Report:
        # The map cells follow from the place, as the filing service sets them.
        kwargs.update(map_cells(latitude=kwargs["latitude"], longitude=kwargs["longitude"]))
        return model_class.objects.create(*args, **kwargs)


def jpeg_with_gps(width: int = 640, height: int = 480) -> bytes:
    """A real JPEG photo whose EXIF holds a camera model and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Test Camera"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (37.0, 30.0, 0.0)
    gps[3] = "E"
    gps[4] = (127.0, 2.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()
