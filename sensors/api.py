"""Read API of devices and metrics."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from sensors import selectors
from sensors.models import Device, Metric
from sensors.serializers import DeviceSerializer, MetricSerializer


class DeviceViewSet(viewsets.ReadOnlyModelViewSet[Device]):
    """Public devices across the city; private pilot devices are not listed."""

    serializer_class = DeviceSerializer

    def get_queryset(self) -> QuerySet[Device]:
        return selectors.public_device_list().order_by("id")


class MetricViewSet(viewsets.ReadOnlyModelViewSet[Metric]):
    """The catalogue of what devices measure, with units and physically possible ranges."""

    serializer_class = MetricSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Metric]:
        return selectors.metric_list()
