"""Citizens' reports of problems at a place in the city, and what the city does about them."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import District

# Exact places in sensitive categories are shown to the public rounded to this many decimals of a
# degree: 0.001° is about 111 m of latitude and 88 m of longitude in Seoul.
SENSITIVE_DECIMALS = 3
# A reporter may reopen a report closed as fixed for this many days.
REOPEN_DAYS = 30
# Area alerts cover a circle of this radius, in metres.
ALERT_RADIUS_MIN = 200
ALERT_RADIUS_MAX = 3_000
# Zoom levels at which the public map always shows clusters (the map goes no further out than 9).
# Each report stores its grid cell at each of them, so that a city view groups an index.
CLUSTER_ZOOMS = range(9, 15)


class Category(models.Model):
    """A kind of problem residents report; an Open311 service. Names in Korean and English."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier, used as the Open311 service code."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    target_days = models.PositiveSmallIntegerField(
        _("response target (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Days within which a report should be closed."),
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Exact places are shown to the public rounded to about 100 m."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CategoryAttribute(models.Model):
    """A question asked when reporting in a category: an Open311 service definition attribute."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("One of a list")
        MULTI = "multivaluelist", _("Several of a list")

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="attributes",
    )
    code = models.SlugField(_("code"), max_length=40)
    datatype = models.CharField(
        _("type"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    required = models.BooleanField(_("required"), default=False)
    # Open311's `variable`: false marks an informational attribute the citizen does not answer.
    variable = models.BooleanField(_("answered by the citizen"), default=True)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("type description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # For list types: [{"key": "...", "name": "..."}].
    values = models.JSONField(_("values"), default=list, blank=True)

    class Meta:
        ordering = ["category", "order", "code"]
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_once")
        ]

    def __str__(self) -> str:
        return self.code

    def value_keys(self) -> set[str]:
        return {str(value.get("key")) for value in self.values if isinstance(value, dict)}


class Open311Key(models.Model):
    """A partner app's key to file reports through Open311; only its hash is kept."""

    name = models.CharField(_("app name"), max_length=120)
    # The first characters of the key, to find its row without scanning every hash.
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=128, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Report(models.Model):
    """A problem a citizen reports at a place on the map."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    class Resolution(models.TextChoices):
        FIXED = "fixed", _("Fixed")
        DUPLICATE = "duplicate", _("Duplicate")
        NOT_ACTIONABLE = "not_actionable", _("Not actionable")

    class Source(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("REST API")
        OPEN311 = "open311", _("Open311 partner app")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    description = models.TextField(_("description"), max_length=4000)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    device = models.ForeignKey(
        "sensors.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )
    # Kept when the reporter deletes their account: the report stays, anonymised.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    show_name = models.BooleanField(_("show my name publicly"), default=False)
    # Contact details a partner app sent through Open311; never shown to the public or partners.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_first_name = models.CharField(_("contact first name"), max_length=100, blank=True)
    contact_last_name = models.CharField(_("contact last name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    partner = models.ForeignKey(
        Open311Key,
        verbose_name=_("partner app"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    # Open311's token for a request, answered by GET tokens/<token>.
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    supporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supporters"),
        through="Support",
        related_name="supported_reports",
        blank=True,
    )
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the category's response target runs out; set when the report is filed.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="about_type", object_id_field="about_id"
    )
    # The report's map cell at each zoom of CLUSTER_ZOOMS, set with its place by the filing
    # service (`services.geo.map_cells`): the row and column of the grid packed in one number.
    cell_z9 = models.BigIntegerField(editable=False)
    cell_z10 = models.BigIntegerField(editable=False)
    cell_z11 = models.BigIntegerField(editable=False)
    cell_z12 = models.BigIntegerField(editable=False)
    cell_z13 = models.BigIntegerField(editable=False)
    cell_z14 = models.BigIntegerField(editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            # Each holds what a cluster needs, so a city view reads the index alone, in the
            # order of its cells; filters on category, district or pilot use their own indexes.
            *(
                models.Index(
                    fields=[f"cell_z{zoom}"],
                    include=["latitude", "longitude", "status", "due_at"],
                    name=f"report_cell_z{zoom}",
                )
                for zoom in CLUSTER_ZOOMS
            ),
            models.Index(fields=["status", "-created_at"], name="report_status_created"),
            models.Index(fields=["district", "-created_at"], name="report_district_created"),
            models.Index(fields=["-created_at"], name="report_created"),
            models.Index(fields=["latitude", "longitude"], name="report_place"),
            models.Index(fields=["category", "status"], name="report_category_status"),
            models.Index(fields=["status", "due_at"], name="report_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="report_coordinates_on_earth",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status != self.Status.CLOSED and self.due_at and self.due_at < timezone.now()
        )

    def public_place(self) -> tuple[float, float]:
        """(latitude, longitude) as the public may see it: rounded in sensitive categories."""
        if self.category.sensitive:
            return (
                round(self.latitude, SENSITIVE_DECIMALS),
                round(self.longitude, SENSITIVE_DECIMALS),
            )
        return self.latitude, self.longitude

    def public_address(self) -> tuple[str, str]:
        """(address, address id) as the public may see them: none in sensitive categories,
        where a typed street address would give away the place that the map rounds."""
        if self.category.sensitive:
            return "", ""
        return self.address, self.address_id

    def public_name(self) -> str:
        """The reporter's name if they chose to show it, otherwise nothing."""
        if self.show_name and self.reporter is not None:
            return self.reporter.get_full_name() or self.reporter.get_username()
        return ""


class Photo(models.Model):
    """A photo of a report, stored without its metadata, with display-sized copies."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to="reports/photos/%Y/%m/")
    display = models.FileField(_("display copy"), upload_to="reports/photos/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="reports/photos/%Y/%m/")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name or ""


class Support(models.Model):
    """A citizen saying "me too" to a report: they hear of its updates like the reporter."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.CASCADE,
        related_name="report_supports",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.user} · #{self.report_id}"


class ReportUpdate(models.Model):
    """One entry of a report's public history: a status move, an official update, a reopening."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        UPDATE = "update", _("Official update")
        REOPEN = "reopen", _("Reopened by the reporter")
        MERGE = "merge", _("Merged duplicate")
        ASSIGN = "assign", _("Assigned")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Report.Status.choices)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Report.Resolution.choices, blank=True
    )
    text = models.TextField(_("public text"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")

    def __str__(self) -> str:
        return f"#{self.report_id} {self.kind} {self.status}"


class AreaAlert(models.Model):
    """A citizen following a district, or a circle around a place, for new reports and updates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.CASCADE,
        related_name="report_alerts",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_alerts",
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    radius_m = models.PositiveIntegerField(
        _("radius (m)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(ALERT_RADIUS_MIN), MaxValueValidator(ALERT_RADIUS_MAX)],
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["user", "-created_at"]
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        district__isnull=False,
                        latitude__isnull=True,
                        longitude__isnull=True,
                        radius_m__isnull=True,
                    )
                    | models.Q(
                        district__isnull=True,
                        latitude__isnull=False,
                        longitude__isnull=False,
                        radius_m__gte=ALERT_RADIUS_MIN,
                        radius_m__lte=ALERT_RADIUS_MAX,
                    )
                ),
                name="alert_district_or_circle",
            )
        ]

    def __str__(self) -> str:
        if self.district_id:
            return str(self.district)
        return f"{self.latitude:.4f}, {self.longitude:.4f} · {self.radius_m} m"

    def describe(self) -> dict[str, Any]:
        return {
            "district": self.district.slug if self.district else None,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "radius_m": self.radius_m,
        }
