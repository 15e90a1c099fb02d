from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from pilots.models import Pilot
from portal.models import District
from sensors.models import Device, Metric
from sensors.selectors import Resolution


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


class ReadingQuerySerializer(serializers.Serializer[Any]):
    """The time range and metric of a read of readings or rollups; times are ISO 8601."""

    metric = serializers.SlugRelatedField(
        slug_field="code", queryset=Metric.objects.all(), required=False
    )
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)

    max_span: dt.timedelta = dt.timedelta(days=31)
    default_span: dt.timedelta = dt.timedelta(days=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("end") or timezone.now()
        start = attrs.get("start") or end - self.default_span
        if start >= end:
            raise serializers.ValidationError({"end": _("The end must come after the start.")})
        if end - start > self.max_span:
            raise serializers.ValidationError(
                {
                    "start": _("A range may span at most %(days)d days.")
                    % {"days": self.max_span.days}
                }
            )
        return {**attrs, "start": start, "end": end}


class RollupQuerySerializer(ReadingQuerySerializer):
    resolution = serializers.ChoiceField(
        choices=[(choice.value, choice.value) for choice in Resolution],
        default=Resolution.HOUR.value,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        resolution = Resolution(attrs.get("resolution", Resolution.HOUR))
        # Minute rollups of a week are 10,080 rows per metric; hour rollups of a year 8,760.
        self.max_span = dt.timedelta(days=7 if resolution is Resolution.MINUTE else 366)
        self.default_span = dt.timedelta(hours=1 if resolution is Resolution.MINUTE else 24)
        return {**super().validate(attrs), "resolution": resolution}


class ReadingSerializer(serializers.Serializer[Any]):
    time = serializers.DateTimeField()
    metric = serializers.CharField(source="metric.code")
    value = serializers.FloatField()


class RollupSerializer(serializers.Serializer[Any]):
    bucket = serializers.DateTimeField()
    metric = serializers.CharField(source="metric.code")
    count = serializers.IntegerField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    mean = serializers.FloatField()
