"""Innovation districts, their spaces, startups' organisations, calls, applications and review."""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modeltranslation.manager import MultilingualManager

from portal.spaces.validators import validate_registration_number

LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]

# The models modeltranslation translates (see translation.py) declare its MultilingualManager as
# their manager. modeltranslation would swap it in for a plain `models.Manager()` anyway while the
# app registry loads, but the type checker's Django plugin would not see that class, and so could
# not type the reverse managers either (`district.spaces`, `space.photos`, `call.criteria`).
# Declared, it changes nothing at run time: modeltranslation leaves a MultilingualManager as it is.


class InnovationDistrict(models.Model):
    """An area the city designates for startups, such as Magok or Pangyo, holding spaces."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="innovation_districts",
    )
    latitude = models.FloatField(_("latitude"), validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), validators=LONGITUDE)

    # modeltranslation's manager, declared: see the note above InnovationDistrict.
    objects: ClassVar[MultilingualManager[InnovationDistrict]] = MultilingualManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("innovation district")
        verbose_name_plural = _("innovation districts")

    def __str__(self) -> str:
        return self.name


class Space(models.Model):
    """A desk, office, lab or test-bed the city lends to startups; capacity counts people."""

    class Kind(models.TextChoices):
        DESK = "desk", _("Desk")
        OFFICE = "office", _("Office")
        LAB = "lab", _("Lab")
        TESTBED = "testbed", _("Test-bed")

    innovation_district = models.ForeignKey(
        InnovationDistrict,
        verbose_name=_("innovation district"),
        on_delete=models.PROTECT,
        related_name="spaces",
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(_("latitude"), validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), validators=LONGITUDE)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1)],
        help_text=_("How many people can work here on the same day."),
    )
    amenities = models.TextField(
        _("amenities"), max_length=1000, blank=True, help_text=_("One amenity a line.")
    )
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"))
    monthly_fee = models.PositiveIntegerField(
        _("monthly fee (KRW)"), default=0, help_text=_("0 means the space is free.")
    )
    is_published = models.BooleanField(_("shown in the catalogue"), default=True)

    # modeltranslation's manager, declared: see the note above InnovationDistrict.
    objects: ClassVar[MultilingualManager[Space]] = MultilingualManager()

    class Meta:
        ordering = ["innovation_district__name", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(available_until__gte=models.F("available_from")),
                name="space_available_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("spaces:space", kwargs={"pk": self.pk})

    @property
    def is_free(self) -> bool:
        return self.monthly_fee == 0

    @property
    def amenity_list(self) -> list[str]:
        return [line.strip() for line in (self.amenities or "").splitlines() if line.strip()]


class SpacePhoto(models.Model):
    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("image"), upload_to="spaces/photos/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    # modeltranslation's manager, declared: see the note above InnovationDistrict.
    objects: ClassVar[MultilingualManager[SpacePhoto]] = MultilingualManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Organisation(models.Model):
    """A startup registered by one of its people, who becomes its first owner."""

    class Sector(models.TextChoices):
        MOBILITY = "mobility", _("Mobility")
        ENERGY = "energy", _("Energy")
        ENVIRONMENT = "environment", _("Environment")
        HEALTH = "health", _("Health and welfare")
        SAFETY = "safety", _("Safety")
        DATA = "data", _("Data and AI")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(
        _("business registration number"),
        max_length=10,
        unique=True,
        validators=[validate_registration_number],
        help_text=_("Ten digits; dashes are optional."),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    team_size = models.PositiveIntegerField(_("team size"), validators=[MinValueValidator(1)])
    founded_on = models.DateField(_("founded on"))
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        verbose_name=_("members"),
        related_name="organisations",
    )
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="about_type", object_id_field="about_id"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("spaces:organisation", kwargs={"pk": self.pk})

    def years_since_founding(self, on: dt.date) -> int:
        years = on.year - self.founded_on.year
        if (on.month, on.day) < (self.founded_on.month, self.founded_on.day):
            years -= 1
        return years


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """An owner's invitation, by e-mail, to join the organisation; the link holds the token."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    def get_absolute_url(self) -> str:
        return reverse("spaces:invitation", kwargs={"token": self.token})


class Call(models.Model):
    """A call for applications for some spaces, with its dates, eligibility and review rubric."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    spaces = models.ManyToManyField(Space, verbose_name=_("spaces offered"), related_name="calls")
    max_years_since_founding = models.PositiveIntegerField(
        _("at most years since founding"), null=True, blank=True
    )
    min_team_size = models.PositiveIntegerField(_("smallest team"), null=True, blank=True)
    max_team_size = models.PositiveIntegerField(_("largest team"), null=True, blank=True)
    share_comments_with_rejected = models.BooleanField(
        _("send reviewers' comments to rejected applicants"), default=False
    )
    is_published = models.BooleanField(_("published"), default=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        related_name="managed_calls",
        blank=True,
        help_text=_("They decide on the applications."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewers"),
        related_name="reviewed_calls",
        blank=True,
    )
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="about_type", object_id_field="about_id"
    )

    # modeltranslation's manager, declared: see the note above InnovationDistrict.
    objects: ClassVar[MultilingualManager[Call]] = MultilingualManager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        permissions = [
            ("manage_every_call", _("Can manage every call and decide on its applications"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("spaces:call", kwargs={"pk": self.pk})

    def is_open(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.opens_at <= moment < self.closes_at


class Criterion(models.Model):
    """One line of a call's rubric; reviewers score it from 0 to MAX_SCORE."""

    MAX_SCORE = 5

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    weight = models.PositiveIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    position = models.PositiveIntegerField(_("position"), default=0)

    # modeltranslation's manager, declared: see the note above InnovationDistrict.
    objects: ClassVar[MultilingualManager[Criterion]] = MultilingualManager()

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WAITING_LIST = "waiting_list", _("Waiting list")
        # In context: the project's catalogue has "Withdrawn" for a resident leaving a pilot.
        WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    spaces = models.ManyToManyField(
        Space, verbose_name=_("spaces wanted"), related_name="applications", blank=True
    )
    move_in = models.DateField(_("move-in date"), null=True, blank=True)
    duration_months = models.PositiveIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    team_size = models.PositiveIntegerField(
        _("team size moving in"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    pitch = models.TextField(_("pitch"), max_length=4000, blank=True)
    pilot_plan = models.TextField(
        _("pilot or test-bed plan"),
        max_length=4000,
        blank=True,
        help_text=_("The pilot or test-bed you would run from the space."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="about_type", object_id_field="about_id"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"], name="one_application_per_call"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("spaces:application", kwargs={"pk": self.pk})

    @property
    def move_out(self) -> dt.date | None:
        """The last day in the space: move-in plus the months asked for, less a day."""
        if self.move_in is None or not self.duration_months:
            return None
        return add_months(self.move_in, self.duration_months) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Attachment(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="spaces/attachments/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ConflictOfInterest(models.Model):
    """A reviewer's declaration that they must not review one application, and why."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="declared_conflicts",
    )
    reason = models.TextField(_("reason"), max_length=1000)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["declared_at"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_conflict_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.application}"


class Score(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="space_scores",
    )
    score = models.PositiveIntegerField(
        _("score"), validators=[MaxValueValidator(Criterion.MAX_SCORE)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    class Meta:
        ordering = ["application", "criterion__position", "reviewer"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "reviewer"], name="one_score_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Allocation(models.Model):
    """Seats in a space given to an accepted application, from one day to another, inclusive."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.PROTECT, related_name="allocations"
    )
    # In context: the project's catalogue has "from" for the phase a pilot moved from.
    starts_on = models.DateField(pgettext_lazy("allocation", "from"))
    ends_on = models.DateField(_("until"))
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="allocation_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_on}-{self.ends_on}"


class ProposedPilot(models.Model):
    """A pilot an organisation proposed from its space; the pilot itself lives in `pilots`."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="proposed_pilots",
    )
    pilot = models.OneToOneField(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        related_name="proposed_by_organisation",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("proposed pilot")
        verbose_name_plural = _("proposed pilots")

    def __str__(self) -> str:
        return str(self.pilot)
