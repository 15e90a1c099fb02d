"""REST shapes of reports: what the API answers and what it accepts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal import rest
from portal.reports.models import ALERT_RADIUS_MAX, ALERT_RADIUS_MIN, Category, Photo, Report
from portal.reports.photos import MAX_PHOTOS


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["code", "name", "name_ko", "name_en", "target_days", "sensitive"]


class PhotoSerializer(serializers.ModelSerializer[Photo]):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["url", "thumbnail_url", "width", "height"]

    def get_url(self, photo: Photo) -> str:
        return photo.display.url

    def get_thumbnail_url(self, photo: Photo) -> str:
        return photo.thumbnail.url


class ReportSerializer(serializers.ModelSerializer[Report]):
    """A report as the public sees it: the reporter's name only if shown, sensitive places
    rounded."""

    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    category_name = serializers.CharField(source="category.name", read_only=True)
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    pilot: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    reporter_name = serializers.CharField(source="public_name", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "url",
            "category",
            "category_name",
            "description",
            "latitude",
            "longitude",
            "address",
            "district",
            "pilot",
            "device",
            "status",
            "resolution",
            "duplicate_of",
            "support_count",
            "reporter_name",
            "created_at",
            "acknowledged_at",
            "closed_at",
            "due_at",
            "overdue",
            "photos",
        ]

    def get_latitude(self, report: Report) -> float:
        return report.public_place()[0]

    def get_longitude(self, report: Report) -> float:
        return report.public_place()[1]

    def get_address(self, report: Report) -> str:
        return report.public_address()[0]


class ReportCreateSerializer(rest.InputSerializer):
    """What `POST /api/reports/` accepts (multipart); the service checks the rest."""

    category = serializers.SlugField(max_length=40)
    description = serializers.CharField(max_length=4000)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, default="", allow_blank=True, max_length=250)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS
    )
    pilot = serializers.SlugField(required=False, default="", allow_blank=True)
    # A form has no null: a report about no device leaves the field out, or empty.
    device = serializers.IntegerField(required=False, default=None)
    show_name = rest.BooleanField(required=False, default=False)


class ReportFilterSerializer(serializers.Serializer[dict[str, Any]]):
    """The list's and the map's filters; one left out or empty (as a form sends it) does not
    filter."""

    category = serializers.SlugField(required=False, allow_blank=True, help_text="Category code")
    status = serializers.ChoiceField(
        choices=Report.Status.choices, required=False, allow_blank=True
    )
    district = serializers.SlugField(required=False, allow_blank=True, help_text="District slug")
    pilot = serializers.SlugField(required=False, allow_blank=True, help_text="Pilot slug")
    overdue = rest.BooleanField(required=False, help_text="Only reports past their target")


class MapQuerySerializer(ReportFilterSerializer):
    south = serializers.FloatField(min_value=-90, max_value=90)
    west = serializers.FloatField(min_value=-180, max_value=180)
    north = serializers.FloatField(min_value=-90, max_value=90)
    east = serializers.FloatField(min_value=-180, max_value=180)
    zoom = serializers.IntegerField(min_value=0, max_value=22)


class AddressQuerySerializer(serializers.Serializer[dict[str, Any]]):
    address = serializers.CharField(max_length=250)


class AddressPlaceSerializer(serializers.Serializer[dict[str, Any]]):
    """Where a typed address puts a report: only its district is known, and its centre."""

    district = serializers.SlugField()
    district_name = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    precision = serializers.ChoiceField(choices=["district"])


class NearbyQuerySerializer(serializers.Serializer[dict[str, Any]]):
    category = serializers.SlugField()
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class AlertInputSerializer(serializers.Serializer[dict[str, Any]]):
    district = serializers.SlugField(required=False, default="")
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    radius_m = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=ALERT_RADIUS_MIN,
        max_value=ALERT_RADIUS_MAX,
    )
