from __future__ import annotations

from rest_framework import serializers

from sensors.models import Device, Metric


class MetricSerializer(serializers.ModelSerializer[Metric]):
    class Meta:
        model = Metric
        fields = ["code", "name_ko", "name_en", "unit", "min_value", "max_value"]


class DeviceSerializer(serializers.ModelSerializer[Device]):
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pilot = serializers.SlugRelatedField(slug_field="slug", read_only=True)

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
