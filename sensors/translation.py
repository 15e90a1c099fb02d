"""The sensors' fields kept in Korean and English (django-modeltranslation)."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from sensors.models import Device, Metric


@register(Metric)
class MetricTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Device)
class DeviceTranslationOptions(TranslationOptions):
    fields = ("display_name",)
