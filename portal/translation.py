"""The portal's fields kept in Korean and English (django-modeltranslation)."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from portal.models import District


@register(District)
class DistrictTranslationOptions(TranslationOptions):
    fields = ("name",)
