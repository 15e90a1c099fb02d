"""Pilots: experiments run with residents in one or more districts."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from modeltranslation.manager import MultilingualManager
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname

from pilots.area import validate_pilot_area
from portal.languages import text_in


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
    goal = models.TextField(
        _("goal"), max_length=2000, blank=True, help_text=_("What the pilot sets out to show.")
    )
    # A GeoJSON Polygon or MultiPolygon geometry in WGS84 longitude/latitude, inside Seoul.
    area = models.JSONField(
        _("area"),
        default=dict,
        blank=True,
        validators=[validate_pilot_area],
        help_text=_("Draw the area where the pilot takes place."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("How many residents can take part at once; empty means no limit."),
    )
    partner = models.CharField(_("partner organisation"), max_length=200, blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        related_name="managed_pilots",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Notices about the pilot go with it.
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="about_type", object_id_field="about_id"
    )

    # django-modeltranslation's manager: it filters and orders by the translated fields in the
    # reader's language. Declared so that type checkers know it too.
    objects: ClassVar[MultilingualManager[Pilot]] = MultilingualManager()

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

    @property
    def is_open_to_join(self) -> bool:
        return self.phase in JOINABLE_PHASES


# Residents may join a pilot only while it recruits or runs.
JOINABLE_PHASES = frozenset({Pilot.Phase.RECRUITING, Pilot.Phase.RUNNING})


class PhaseChange(models.Model):
    """One move of a pilot from one phase to the next: who, when, why, and what the public sees."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="phase_changes"
    )
    from_phase = models.CharField(_("from"), max_length=20, choices=Pilot.Phase.choices)
    to_phase = models.CharField(_("to"), max_length=20, choices=Pilot.Phase.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"), max_length=2000)
    is_public = models.BooleanField(_("shown on the pilot's page"), default=True)
    public_note = models.TextField(
        _("public note"),
        max_length=2000,
        blank=True,
        help_text=_("What residents read on the timeline; the reason stays internal."),
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.get_from_phase_display()} → {self.get_to_phase_display()}"


class ConsentVersion(models.Model):
    """The consent text of a pilot; a new version replaces the old and asks everyone again."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="consent_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("consent text"), max_length=20000)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[MultilingualManager[ConsentVersion]] = MultilingualManager()

    class Meta:
        ordering = ["pilot", "-number"]
        verbose_name = _("consent version")
        verbose_name_plural = _("consent versions")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "number"], name="consent_version_unique")
        ]

    def __str__(self) -> str:
        return _("Consent version %(number)s") % {"number": self.number}


class EligibilityRule(models.Model):
    """One condition a resident must meet to join a pilot."""

    class Kind(models.TextChoices):
        RESIDENT_OF_PILOT_DISTRICTS = (
            "resident_of_pilot_districts",
            _("Lives in one of the pilot's districts"),
        )
        MINIMUM_AGE = "minimum_age", _("Minimum age")
        MAXIMUM_AGE = "maximum_age", _("Maximum age")

    # Kinds that need a number.
    KINDS_WITH_VALUE = frozenset({Kind.MINIMUM_AGE, Kind.MAXIMUM_AGE})

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="eligibility_rules"
    )
    kind = models.CharField(_("rule"), max_length=40, choices=Kind.choices)
    value = models.PositiveIntegerField(
        _("N"), null=True, blank=True, help_text=_("The age, for the age rules.")
    )

    class Meta:
        ordering = ["pilot", "kind"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "kind"], name="eligibility_rule_once"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["minimum_age", "maximum_age"])
                | models.Q(value__isnull=False),
                name="eligibility_age_rule_has_age",
            ),
        ]

    def __str__(self) -> str:
        if self.kind in self.KINDS_WITH_VALUE:
            return f"{self.get_kind_display()}: {self.value}"
        return self.get_kind_display()

    def clean(self) -> None:
        if self.kind in self.KINDS_WITH_VALUE and self.value is None:
            raise ValidationError({"value": _("An age rule needs the age.")})


class Enrolment(models.Model):
    """A resident's place in a pilot: taking part, waiting for a place, or withdrawn."""

    class Status(models.TextChoices):
        PARTICIPATING = "participating", _("Taking part")
        WAITING = "waiting", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    consent_version = models.ForeignKey(
        ConsentVersion,
        verbose_name=_("consented to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    consent_data_use = models.BooleanField(_("agreed to the use of their data"), default=False)
    consent_contact = models.BooleanField(_("agreed to be contacted"), default=False)
    # When the resident joined the waiting list; the list is served in this order.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pilot", "queued_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "user"], name="enrolment_once_per_pilot")
        ]
        indexes = [models.Index(fields=["pilot", "status", "queued_at"], name="enrolment_queue")]

    def __str__(self) -> str:
        return f"{self.user} · {self.pilot} ({self.get_status_display()})"


class Survey(models.Model):
    """Questions a pilot's manager asks its participants; open while the pilot is in its phase."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), max_length=4000, blank=True)
    phase = models.CharField(
        _("open during"),
        max_length=20,
        choices=Pilot.Phase.choices,
        help_text=_("Participants can answer while the pilot is in this phase."),
    )
    # Participants are told once, the first time the survey is open (see survey_announce).
    announced_at = models.DateTimeField(
        _("opening announced at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[MultilingualManager[Survey]] = MultilingualManager()

    class Meta:
        ordering = ["pilot", "created_at", "pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilots:survey", kwargs={"slug": self.pilot.slug, "survey_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.pilot.phase == self.phase


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating scale")
        CHOICE = "choice", _("Multiple choice")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    prompt = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For multiple choice: one choice per line.")
    )
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)

    objects: ClassVar[MultilingualManager[SurveyQuestion]] = MultilingualManager()

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="survey_question_scale_not_empty",
            )
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def choice_list(self) -> list[str]:
        """The choices in the reader's language (in the other one where it has none)."""
        return _lines(self.choices)

    def choices_in(self, language: str) -> list[str]:
        """The choices as written in `language`; empty if they are not."""
        return _lines(text_in(self, "choices", language))

    @property
    def stored_choices(self) -> list[str]:
        """The choices as answers store them, whichever language the resident answered in.

        They are the choices in the default language (Korean, which the admin asks for first), so
        that answers given in Korean and in English count together. Line by line, the choices in
        another language translate them.
        """
        for language in (DEFAULT_LANGUAGE, *AVAILABLE_LANGUAGES):
            if choices := self.choices_in(language):
                return choices
        return []

    @property
    def choice_options(self) -> list[tuple[str, str]]:
        """(stored choice, what the reader sees) for each choice, in order."""
        stored = self.stored_choices
        shown = self.choice_list
        return list(zip(stored, shown if len(shown) == len(stored) else stored, strict=True))

    def stored_choice(self, answer: str) -> str | None:
        """The stored form of a choice given in any language; None if it is no choice."""
        stored = self.stored_choices
        if answer in stored:
            return answer
        for language in AVAILABLE_LANGUAGES:
            choices = self.choices_in(language)
            if len(choices) == len(stored) and answer in choices:
                return stored[choices.index(answer)]
        return None

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.kind == self.Kind.CHOICE:
            stored = self.stored_choices
            for language in AVAILABLE_LANGUAGES:
                column = build_localized_fieldname("choices", language)
                choices = self.choices_in(language)
                if language == DEFAULT_LANGUAGE and len(choices) < 2:
                    errors[column] = _("A multiple-choice question needs two choices.")
                elif len(set(choices)) != len(choices):
                    errors[column] = _("Each choice must appear once.")
                elif choices and len(choices) != len(stored):
                    errors[column] = _(
                        "Give as many choices as in %(language)s, one per line in the same order."
                    ) % {"language": get_language_info(DEFAULT_LANGUAGE)["name_translated"]}
        if self.scale_max <= self.scale_min:
            errors["scale_max"] = _("The scale must end above where it starts.")
        if errors:
            raise ValidationError(errors)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SurveyResponse(models.Model):
    """One participant's answers to one survey; revised in place while the survey is open."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(_("first submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("last revised"), default=timezone.now)

    class Meta:
        ordering = ["survey", "submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.user}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SurveyQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=200, blank=True)
    text = models.TextField(_("text"), max_length=4000, blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")
        ]

    def __str__(self) -> str:
        return str(self.value)

    @property
    def value(self) -> int | str | None:
        if self.question.kind == SurveyQuestion.Kind.RATING:
            return self.rating
        if self.question.kind == SurveyQuestion.Kind.CHOICE:
            return self.choice
        return self.text

    @property
    def shown_value(self) -> int | str | None:
        """The value as the reader sees it: a choice in their language, as the survey offers it."""
        if self.question.kind == SurveyQuestion.Kind.CHOICE:
            return dict(self.question.choice_options).get(self.choice, self.choice)
        return self.value


class PilotQuestion(models.Model):
    """A resident's question about a pilot, shown with a manager's answer once published."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="questions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="pilot_questions",
    )
    text = models.TextField(_("question"), max_length=2000)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("question and answer")
        verbose_name_plural = _("questions and answers")

    def __str__(self) -> str:
        return self.text[:60]
