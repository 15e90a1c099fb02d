"""Text managers write, kept in Korean and English side by side."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from pilots.evaluation.models import Decision, PlanAmendment


@register(PlanAmendment)
class PlanAmendmentTranslation(TranslationOptions):
    fields = ("reason",)


@register(Decision)
class DecisionTranslation(TranslationOptions):
    fields = ("reason",)
