"""Fields of reports' content kept in Korean and English."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from portal.reports.models import Category, CategoryAttribute


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description", "group")


@register(CategoryAttribute)
class CategoryAttributeTranslationOptions(TranslationOptions):
    fields = ("description", "datatype_description")
