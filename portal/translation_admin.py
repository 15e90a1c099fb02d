"""Admin classes for models with fields in Korean and English, each language beside the other.

django-modeltranslation's admin replaces a translated field (`title`) by its languages
(`title_ko`, `title_en`), one below the other; these put them on one row instead, so a manager
writes the English next to the Korean it translates. The Korean is required where the field is;
the English may wait, and pages show the Korean, marked, until it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from modeltranslation.translator import TranslationOptions
from modeltranslation.utils import get_translation_fields

_ModelT = TypeVar("_ModelT", bound=Model)
_ParentT = TypeVar("_ParentT", bound=Model)


def languages_side_by_side(
    options: TranslationOptions, fields: Sequence[Any]
) -> list[str | tuple[str, ...]]:
    """`fields` with each translated field's language columns gathered into one row."""
    rows: list[str | tuple[str, ...]] = []
    done: set[str] = set()
    for field in fields:
        original = next(
            (name for name in options.all_fields if field in get_translation_fields(name)),
            None,
        )
        if original is None:
            rows.append(field)
        elif original not in done:
            done.add(original)
            rows.append(tuple(name for name in get_translation_fields(original) if name in fields))
    return rows


class _SideBySide:
    trans_opts: TranslationOptions

    class Media:
        css = {"all": ["portal/css/admin-languages.css"]}

    def _side_by_side(self, fieldsets: Any) -> list[Any]:
        return [
            (
                title,
                {**options, "fields": languages_side_by_side(self.trans_opts, options["fields"])},
            )
            for title, options in fieldsets
        ]


class TranslatedAdmin(_SideBySide, TranslationAdmin[_ModelT]):
    def get_fieldsets(self, request: HttpRequest, obj: _ModelT | None = None) -> Any:
        return self._side_by_side(super().get_fieldsets(request, obj))


# modeltranslation's inline types `get_readonly_fields` as the model admin does, not as inlines do.
class TranslatedStackedInline(  # type: ignore[misc]
    _SideBySide, TranslationStackedInline[_ModelT, _ParentT]
):
    # Django's inline and modeltranslation's disagree on what `obj` is (parent or own model).
    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._side_by_side(super().get_fieldsets(request, obj))
