"""The portal's own models: people and the city's districts."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager


class User(AbstractUser):
    """Anyone with a login: citizens, startup members, pilot managers and staff.

    What a person may do comes from their groups (see `portal.roles`), not from fields here.
    """

    class Language(models.TextChoices):
        KOREAN = "ko", _("Korean")
        ENGLISH = "en", _("English")

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.KOREAN
    )
    home_district = models.ForeignKey(
        "portal.District",
        verbose_name=_("home district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # The address the person proved they read, by following the link mailed to it; a change of
    # `email` leaves it behind, so the new address must be verified in turn.
    verified_email = models.EmailField(_("verified email"), blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def has_verified_email(self) -> bool:
        return bool(self.email) and self.verified_email.lower() == self.email.lower()


class District(models.Model):
    """One of Seoul's 25 autonomous districts (gu), with its boundary as GeoJSON."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    # In Korean and English (`name_ko`, `name_en`; see portal/translation.py).
    name = models.CharField(_("name"), max_length=40)
    # A GeoJSON Polygon or MultiPolygon geometry in WGS84 longitude/latitude.
    boundary = models.JSONField(_("boundary"), default=dict, blank=True)
    center_latitude = models.FloatField(
        _("centre latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    center_longitude = models.FloatField(
        _("centre longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    # django-modeltranslation's manager: it filters and orders by `name` in the reader's
    # language. Declared so that type checkers know it too.
    objects: ClassVar[MultilingualManager[District]] = MultilingualManager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name
