from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.models import District


class DistrictSerializer(serializers.ModelSerializer[District]):
    # Both names, whatever the request's language, as before they became one translated field.
    name_ko = serializers.CharField(max_length=40, label=_("name (Korean)"))
    name_en = serializers.CharField(max_length=40, label=_("name (English)"))
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
