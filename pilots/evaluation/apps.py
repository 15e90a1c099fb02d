from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "pilots.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from pilots.evaluation import admin  # noqa: F401
