"""Evaluation plans written before a pilot runs, their amendments, scorecards and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Recommendation(models.TextChoices):
    SCALE_UP = "scale_up", _("Scale up")
    EXTEND = "extend", _("Extend")
    STOP = "stop", _("Stop")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Not enough evidence yet")


class EvaluationPlan(models.Model):
    """What a pilot will be judged by, registered before it runs.

    `indicators` is a list of indicator specifications (see `plan.py` for their shape). While the
    pilot is proposed or recruiting the plan may be rewritten freely; from running on, every
    change is a `PlanAmendment` with a reason, shown publicly beside the plan.
    """

    pilot = models.OneToOneField(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        related_name="evaluation_plan",
    )
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    # Counts the plan's registered versions: 1 at first, one more with each amendment.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evaluation plan")
        verbose_name_plural = _("evaluation plans")

    def __str__(self) -> str:
        return str(_("Evaluation plan of %(pilot)s") % {"pilot": self.pilot})


class PlanAmendment(models.Model):
    """A change to a registered plan after the pilot started running, with the reason for it."""

    plan = models.ForeignKey(
        EvaluationPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="amendments",
    )
    # The plan's version this amendment produced.
    version = models.PositiveIntegerField(_("version"))
    reason = models.TextField(_("reason"), max_length=2000)
    indicators_before = models.JSONField(_("indicators before"), default=list)
    indicators_after = models.JSONField(_("indicators after"), default=list)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made at"))

    class Meta:
        ordering = ["plan", "version"]
        verbose_name = _("plan amendment")
        verbose_name_plural = _("plan amendments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="plan_amendment_version")
        ]

    def __str__(self) -> str:
        return str(_("Amendment %(version)s") % {"version": self.version})


class Scorecard(models.Model):
    """One scoring run of a pilot: every indicator's estimate and the overall recommendation.

    Scorecards are kept, so that the evidence can be followed over time. `indicators` holds one
    result per indicator of the plan (see `scoring.IndicatorResult`); `series` the daily means of
    pilot and control devices of each sensor indicator, for the chart.
    """

    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        related_name="scorecards",
    )
    plan_version = models.PositiveIntegerField(_("plan version"))
    computed_at = models.DateTimeField(_("computed at"))
    recommendation = models.CharField(
        _("recommendation"), max_length=30, choices=Recommendation.choices
    )
    # Share of the plan's weight whose targets are met, from 0 to 1; pilots are ranked by it.
    score = models.FloatField(_("score"))
    explanation_ko = models.TextField(_("explanation (Korean)"))
    explanation_en = models.TextField(_("explanation (English)"))
    indicators = models.JSONField(_("indicators"), default=list)
    series = models.JSONField(_("series"), default=dict)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        get_latest_by = ["computed_at", "pk"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        indexes = [models.Index(fields=["pilot", "-computed_at"], name="scorecard_pilot_computed")]

    def __str__(self) -> str:
        # In the city's time, as every other time on screen, not the database's UTC.
        return f"{self.pilot} · {timezone.localtime(self.computed_at):%Y-%m-%d %H:%M}"

    @property
    def explanation(self) -> str:
        language = get_language() or "ko"
        return self.explanation_ko if language.startswith("ko") else self.explanation_en


class Decision(models.Model):
    """What a manager decided after reading a scorecard, and why; it moves the pilot's phase."""

    class Outcome(models.TextChoices):
        SCALE_UP = "scale_up", _("Scale up")
        EXTEND = "extend", _("Extend")
        STOP = "stop", _("Stop")

    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        related_name="evaluation_decisions",
    )
    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=_("scorecard read"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    next_districts = models.ManyToManyField(
        "portal.District",
        verbose_name=_("next districts"),
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))
    phase_change = models.OneToOneField(
        "pilots.PhaseChange",
        verbose_name=_("phase change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.pilot} · {self.get_outcome_display()}"
