"""The content managers write in Korean and English, side by side in the admin."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from portal.spaces.models import Call, Criterion, InnovationDistrict, Space, SpacePhoto


@register(InnovationDistrict)
class InnovationDistrictTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Space)
class SpaceTranslation(TranslationOptions):
    fields = ("name", "address", "amenities")


@register(SpacePhoto)
class SpacePhotoTranslation(TranslationOptions):
    fields = ("caption",)


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "description")
