from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from pilots.models import Pilot
from portal.models import District
from sensors.models import Device, Metric
from sensors.selectors import Resolution


class MetricSerializer(serializers.ModelSerializer[Metric]):
    # Both names, whatever the request's language, as before they became one translated field.
    name_ko = serializers.CharField(max_length=60, label=gettext_lazy("name (Korean)"))
    name_en = serializers.CharField(max_length=60, label=gettext_lazy("name (English)"))

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

    metric = serializers.SlugField(
        required=False,
        max_length=30,
        help_text="A metric's code (see /api/metrics/); a code no metric has answers 404.",
    )
    start = serializers.DateTimeField(
        required=False,
        help_text="Where the range begins (included); by default the range's usual length "
        "before `end`. The range may span at most 31 days (readings), 7 days (minute "
        "rollups) or 366 days (hour rollups); a wider one answers 400.",
    )
    end = serializers.DateTimeField(
        required=False,
        help_text="Where the range ends (excluded), after `start`; by default now.",
    )

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


class CityMinutesQuerySerializer(serializers.Serializer[Any]):
    minutes = serializers.IntegerField(
        min_value=1, max_value=180, default=10, help_text="How many minutes back from now."
    )


class CityMinuteSerializer(serializers.Serializer[Any]):
    bucket = serializers.DateTimeField(help_text="The minute's start.")
    mean = serializers.FloatField(help_text="The mean of the public devices' means.")
    max = serializers.FloatField(help_text="The highest value any public device sent.")
    devices = serializers.IntegerField(help_text="How many public devices reported.")


class CityMinutesSerializer(serializers.Serializer[Any]):
    metric = serializers.CharField()
    results = CityMinuteSerializer(many=True)
