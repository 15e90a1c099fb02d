"""Devices in the city, the metrics they measure and the readings they send."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Metric(models.Model):
    """A quantity devices measure, with its unit and the physically possible range."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20)
    min_value = models.FloatField(_("lowest possible value"))
    max_value = models.FloatField(_("highest possible value"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_value__gt=models.F("min_value")),
                name="metric_range_not_empty",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    @property
    def name(self) -> str:
        return self.name_ko if (get_language() or "ko").startswith("ko") else self.name_en


class Device(models.Model):
    """A sensor or meter placed in a district, optionally as part of a pilot."""

    class Kind(models.TextChoices):
        AIR_QUALITY = "air_quality", _("Fine-dust station")
        WEATHER = "weather", _("Weather station")
        NOISE = "noise", _("Noise meter")
        PEDESTRIAN_COUNTER = "pedestrian_counter", _("Pedestrian counter")
        VEHICLE_COUNTER = "vehicle_counter", _("Vehicle counter")
        ENERGY_METER = "energy_meter", _("Energy meter")
        BATTERY = "battery", _("Storage battery")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private to the pilot")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MAINTENANCE = "maintenance", _("Under maintenance")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [
            models.Index(fields=["district", "kind"], name="device_district_kind"),
            models.Index(fields=["pilot"], name="device_pilot"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="device_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One value of one metric from one device at one time; at most one row per the three."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="readings"
    )
    metric = models.ForeignKey(
        Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="readings"
    )
    time = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [
            # Its index serves the per-device feeds and makes re-sent readings collide.
            models.UniqueConstraint(
                fields=["device", "metric", "time"], name="reading_device_metric_time"
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "time"], name="reading_metric_time"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.metric_id} @ {self.time.isoformat()} = {self.value}"
