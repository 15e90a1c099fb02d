"""Devices in the city, the metrics they measure and the readings they send."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from sensors.catalogue import unit_label


class Metric(models.Model):
    """A quantity devices measure, with its unit and the physically possible range."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    # In Korean and English (`name_ko`, `name_en`; see sensors/translation.py).
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20)
    min_value = models.FloatField(_("lowest possible value"))
    max_value = models.FloatField(_("highest possible value"))

    # django-modeltranslation's manager, declared so that type checkers know it.
    objects: ClassVar[MultilingualManager[Metric]] = MultilingualManager()

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
        return f"{self.name} ({self.unit_label})"

    @property
    def unit_label(self) -> str:
        """The unit in the reader's language ("명/분" for people/min in Korean)."""
        return unit_label(self.unit)


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

    # The device's own identifier, in credentials, logs and the API.
    name = models.CharField(_("name"), max_length=120)
    # What pages call it, in Korean and English (see sensors/translation.py).
    display_name = models.CharField(
        _("display name"),
        max_length=120,
        blank=True,
        help_text=_("What residents see, such as “Gwanak-gu fine-dust station 35”."),
    )
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
    # The readings sent in one calendar minute, for SENSORS_DEVICE_READINGS_PER_MINUTE: read and
    # written under the device's processing lock (sensors.services.limits), so that every ingest
    # process sees the others' counts.
    ingest_minute = models.DateTimeField(null=True, blank=True, editable=False)
    ingest_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[MultilingualManager[Device]] = MultilingualManager()

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

    @property
    def label(self) -> str:
        """What pages call the device: its display name, or its identifier where it has none."""
        return self.display_name or self.name


# Readings and their rollups keep their devices and metrics without foreign-key constraints in
# the database. PostgreSQL checks such a constraint row by row, with a query that locks the row
# it finds: at tens of thousands of readings a second, four of them per reading took more than
# half of the database's time. What they guarded is kept otherwise: only the ingest writes these
# rows, holding each device's lock (`processing.devices_lock`) and storing only the rows of
# devices that still exist (`storage.STORE_AND_ROLL_UP_SQL`); deleting a device takes the same
# lock (`sensors.apps`) before Django deletes its readings and rollups (`on_delete` is Django's
# work either way); a metric that has readings cannot be deleted (`PROTECT`).


class Reading(models.Model):
    """One value of one metric from one device at one time; at most one row per the three."""

    # One index, the unique constraint's, which starts with the device: every read of readings
    # names the device. Every index is written for every reading stored, thousands a second.
    # An index on the metric and time was dropped: with statistics a little stale (new times are
    # always past what the last ANALYZE saw) the planner chose it for the probes that look for
    # a reading's device, metric and time, and each probe then read the readings of every
    # device at that time. No constraint in the database either (see above).
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="readings",
        db_index=False,
        db_constraint=False,
    )
    metric = models.ForeignKey(
        Metric,
        verbose_name=_("metric"),
        on_delete=models.PROTECT,
        related_name="readings",
        db_index=False,
        db_constraint=False,
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

    def __str__(self) -> str:
        return f"{self.device_id}/{self.metric_id} @ {self.time.isoformat()} = {self.value}"


class DeviceCredential(models.Model):
    """A device's secret token, of which only a SHA-256 hash is kept.

    The token is 32 random bytes, so a fast unsalted hash is as strong as a slow one here and lets
    every request find its credential with one index lookup. The token itself is shown once, when
    it is issued (`sensors.services.device_credential_issue`).
    """

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="credentials"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    # The first characters of the token, so that people can tell credentials apart.
    prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    # Who the token was issued for, so that a program that issues its own (the simulator) can
    # revoke what it issued before without touching the tokens of the device itself.
    label = models.CharField(_("issued for"), max_length=50, blank=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("device credential")
        verbose_name_plural = _("device credentials")

    def __str__(self) -> str:
        return f"{self.device_id}: {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IngestBatch(models.Model):
    """Readings a device sent and was told were accepted, waiting to be stored and processed.

    The ingest endpoints write one row per accepted batch before they answer, so an answer of
    "accepted" survives a broker or worker outage; a worker stores the readings, rolls them up,
    checks the alert rules and then deletes the row. Rows left behind are sent to the workers
    again by a periodic sweep.
    """

    class Source(models.TextChoices):
        HTTP = "http", _("HTTP")
        MQTT = "mqtt", _("MQTT")

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="ingest_batches"
    )
    source = models.CharField(_("source"), max_length=4, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"))
    count = models.PositiveIntegerField(_("number of readings"))
    # Compact JSON: [[metric id, ISO 8601 time in UTC, value], ...]; text rather than jsonb
    # because PostgreSQL would parse jsonb on every insert and nothing queries inside it.
    readings = models.TextField(_("readings"))

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        indexes = [models.Index(fields=["received_at"], name="ingestbatch_received")]

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.received_at.isoformat()} ({self.count})"


class ReadingCorrection(models.Model):
    """A stored reading's value replaced by its device, and the value it had.

    Devices correct a value by sending the reading again with `"correction": true`; the reading
    then holds the new value, its rollups are computed again, and this row keeps the history.
    """

    reading = models.ForeignKey(
        Reading, verbose_name=_("reading"), on_delete=models.CASCADE, related_name="corrections"
    )
    old_value = models.FloatField(_("old value"))
    new_value = models.FloatField(_("new value"))
    corrected_at = models.DateTimeField(_("corrected at"))
    source = models.CharField(_("source"), max_length=4, choices=IngestBatch.Source.choices)

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("reading correction")
        verbose_name_plural = _("reading corrections")

    def __str__(self) -> str:
        return f"{self.reading_id}: {self.old_value} → {self.new_value}"


class Rollup(models.Model):
    """Count, minimum, maximum, sum and mean of one metric of one device over one time bucket.

    Always recomputed from the raw readings of the bucket, never incremented, so processing a
    batch twice gives the same numbers.
    """

    # Served by the indexes of each subclass's unique constraint and `metric, bucket` index (the
    # city-wide views read rollups by metric), and without constraints in the database, as
    # `Reading`'s are.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
    )
    metric = models.ForeignKey(
        Metric,
        verbose_name=_("metric"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    bucket = models.DateTimeField(_("bucket start"))
    count = models.PositiveIntegerField(_("count"))
    min = models.FloatField(_("minimum"))
    max = models.FloatField(_("maximum"))
    sum = models.FloatField(_("sum"))
    mean = models.FloatField(_("mean"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.device_id}/{self.metric_id} @ {self.bucket.isoformat()}: {self.mean:.2f}"


class MinuteRollup(Rollup):
    class Meta:
        verbose_name = _("minute rollup")
        verbose_name_plural = _("minute rollups")
        constraints = [
            # Its index serves per-device time-range reads and makes the upsert possible.
            models.UniqueConstraint(
                fields=["device", "metric", "bucket"], name="minuterollup_device_metric_bucket"
            ),
        ]
        indexes = [models.Index(fields=["metric", "bucket"], name="minuterollup_metric_bucket")]


class HourRollup(Rollup):
    class Meta:
        verbose_name = _("hour rollup")
        verbose_name_plural = _("hour rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "metric", "bucket"], name="hourrollup_device_metric_bucket"
            ),
        ]
        indexes = [models.Index(fields=["metric", "bucket"], name="hourrollup_metric_bucket")]


class Alert(models.Model):
    """A rule that a device's readings (or its silence) broke, open until the condition clears."""

    class Rule(models.TextChoices):
        PM25_BAD = "pm25_bad", _("PM2.5 bad")
        PM25_VERY_BAD = "pm25_very_bad", _("PM2.5 very bad")
        PM10_BAD = "pm10_bad", _("PM10 bad")
        PM10_VERY_BAD = "pm10_very_bad", _("PM10 very bad")
        HEAT_WAVE = "heat_wave", _("Heat wave")
        DEVICE_SILENT = "device_silent", _("Device silent")

    class Level(models.TextChoices):
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="alerts"
    )
    metric = models.ForeignKey(
        Metric,
        verbose_name=_("metric"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # The reading that opened the alert; none for a silent device.
    value = models.FloatField(_("value"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=200)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "rule"],
                condition=models.Q(closed_at__isnull=True),
                name="alert_one_open_per_device_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["-opened_at"], name="alert_opened"),
            models.Index(
                fields=["device", "-opened_at"],
                condition=models.Q(closed_at__isnull=True),
                name="alert_open_by_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} — {self.device_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
