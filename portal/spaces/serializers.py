"""Explicit output serializers of the spaces API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal.spaces.models import Application, Call, Criterion, InnovationDistrict, Space


class InnovationDistrictSerializer(serializers.ModelSerializer[InnovationDistrict]):
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = InnovationDistrict
        fields = ["id", "name", "district", "latitude", "longitude"]


class SpaceSerializer(serializers.ModelSerializer[Space]):
    innovation_district = InnovationDistrictSerializer(read_only=True)
    seats_free = serializers.IntegerField(
        read_only=True,
        help_text="Seats still free on `available_on` when the list is filtered on it, else today.",
    )
    amenities = serializers.ListField(
        source="amenity_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Space
        fields = [
            "id",
            "name",
            "kind",
            "innovation_district",
            "address",
            "latitude",
            "longitude",
            "capacity",
            "seats_free",
            "amenities",
            "available_from",
            "available_until",
            "monthly_fee",
        ]


class CriterionSerializer(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight"]


class CallSerializer(serializers.ModelSerializer[Call]):
    criteria = CriterionSerializer(many=True, read_only=True)
    spaces: serializers.PrimaryKeyRelatedField[Space] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "is_open",
            "spaces",
            "max_years_since_founding",
            "min_team_size",
            "max_team_size",
            "criteria",
        ]

    def get_is_open(self, call: Call) -> bool:
        return call.is_open()


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    call: serializers.PrimaryKeyRelatedField[Call] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    spaces: serializers.PrimaryKeyRelatedField[Space] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "organisation",
            "status",
            "spaces",
            "move_in",
            "duration_months",
            "team_size",
            "pitch",
            "pilot_plan",
            "created_at",
            "submitted_at",
            "decided_at",
        ]
