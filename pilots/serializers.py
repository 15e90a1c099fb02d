from __future__ import annotations

from rest_framework import serializers

from pilots.models import Pilot


class PilotSerializer(serializers.ModelSerializer[Pilot]):
    districts: serializers.ManyRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", many=True, read_only=True
    )
    domain_display = serializers.CharField(source="get_domain_display", read_only=True)
    phase_display = serializers.CharField(source="get_phase_display", read_only=True)
    device_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Pilot
        fields = [
            "slug",
            "title",
            "domain",
            "domain_display",
            "phase",
            "phase_display",
            "districts",
            "start_date",
            "end_date",
            "summary",
            "partner",
            "device_count",
        ]
