from __future__ import annotations

from rest_framework import serializers

from portal.models import District


class DistrictSerializer(serializers.ModelSerializer[District]):
    pilot_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = District
        fields = [
            "code",
            "slug",
            "name_ko",
            "name_en",
            "center_latitude",
            "center_longitude",
            "pilot_count",
        ]


class DistrictGeoSerializer(DistrictSerializer):
    class Meta(DistrictSerializer.Meta):
        fields = [*DistrictSerializer.Meta.fields, "boundary"]
