"""The pilots' fields that managers write for residents, kept in Korean and English.

Questions residents ask (`PilotQuestion`) stay in the language they were asked in.
"""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from pilots.models import ConsentVersion, Pilot, Survey, SurveyQuestion


@register(Pilot)
class PilotTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "goal", "partner")


@register(ConsentVersion)
class ConsentVersionTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(Survey)
class SurveyTranslationOptions(TranslationOptions):
    fields = ("title", "introduction")


@register(SurveyQuestion)
class SurveyQuestionTranslationOptions(TranslationOptions):
    fields = ("prompt", "choices")
