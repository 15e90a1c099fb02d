"""Pilots: experiments run with residents in one or more districts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Pilot(models.Model):
    """A living-lab pilot: technology tried in a district with the residents who volunteer."""

    class Domain(models.TextChoices):
        MOBILITY = "mobility", _("Mobility")
        SAFETY = "safety", _("Safety")
        ENERGY = "energy", _("Energy")
        ENVIRONMENT = "environment", _("Environment")
        HEALTH = "health", _("Health and welfare")
        GOVERNANCE = "governance", _("Digital government")

    class Phase(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        RECRUITING = "recruiting", _("Recruiting")
        RUNNING = "running", _("Running")
        EVALUATING = "evaluating", _("Evaluating")
        SCALED_UP = "scaled_up", _("Scaled up")
        EXTENDED = "extended", _("Extended")
        STOPPED = "stopped", _("Stopped")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.PROPOSED
    )
    districts = models.ManyToManyField(
        "portal.District", verbose_name=_("districts"), related_name="pilots", blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=2000)
    partner = models.CharField(_("partner organisation"), max_length=200, blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        related_name="managed_pilots",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        permissions = [("view_private_pilot_data", _("Can see every pilot's private data"))]
        indexes = [
            models.Index(fields=["phase", "domain"], name="pilot_phase_domain"),
            models.Index(fields=["-start_date", "title"], name="pilot_listing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="pilot_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilots:detail", kwargs={"slug": self.slug})
