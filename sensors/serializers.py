from __future__ import annotations

from rest_framework import serializers

from pilots.models import Pilot
from portal.models import District
from sensors.models import Device, Metric


class MetricSerializer(serializers.ModelSerializer[Metric]):
    class Meta:
        model = Metric
        fields = ["code", "name_ko", "name_en", "unit", "min_value", "max_value"]


class DeviceSerializer(serializers.ModelSerializer[Device]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    pilot: serializers.SlugRelatedField[Pilot] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Device
        fields = [
            "id",
            "name",
            "kind",
            "latitude",
            "longitude",
            "district",
            "pilot",
            "status",
            "last_seen_at",
        ]
