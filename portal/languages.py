"""Content that managers write in Korean and in English, kept by django-modeltranslation.

A field registered in an app's `translation.py` (a pilot's `title`, say) gets one column per
language (`title_ko`, `title_en`); reading `pilot.title` answers in the viewer's language and falls
back to the other one where the viewer's is empty. Pages mark such a fallback, so that a reader
knows why a sentence is in another language: this module says when that is, and which columns to
search in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

AnyModel = TypeVar("AnyModel", bound=Model)


def language_fields(field: str) -> list[str]:
    """The columns of a translated field, one per language in the order of `LANGUAGES`."""
    return [build_localized_fieldname(field, language) for language in AVAILABLE_LANGUAGES]


def default_language_field(field: str) -> str:
    """The column that holds a translated field in the portal's default language (Korean)."""
    return build_localized_fieldname(field, DEFAULT_LANGUAGE)


def text_in(instance: Model, field: str, language: str) -> str:
    """A translated field's text as written in `language`, "" if it is not."""
    return getattr(instance, build_localized_fieldname(field, language), None) or ""


def texts_by_language(instance: Model, field: str) -> dict[str, str]:
    """A translated field's text in every language, "" where one is missing."""
    return {language: text_in(instance, field, language) for language in AVAILABLE_LANGUAGES}


def texts_from_columns(values: Mapping[str, Any], field: str) -> dict[str, str]:
    """A translated field's text in every language, from values keyed by column (a form's)."""
    return {
        language: values.get(build_localized_fieldname(field, language)) or ""
        for language in AVAILABLE_LANGUAGES
    }


def fallback_language(instance: Model, field: str) -> str:
    """The language of the text shown for `field` when it is not the viewer's own, else "".

    "" also when there is no text at all: then nothing is shown, in no language.
    """
    viewer = get_language()
    descriptor = getattr(type(instance), field)
    for language in resolution_order(viewer, getattr(descriptor, "fallback_languages", None)):
        if text_in(instance, field, language):
            return "" if language == viewer else language
    return ""


def fallback_note(language: str) -> str:
    """The hint next to a text shown in `language` because the viewer's is missing."""
    notes = {"ko": _("(in Korean)"), "en": _("(in English)")}
    if language in notes:
        return notes[language]
    return "({})".format(get_language_info(language)["name_translated"])


def fallback_note_html(language: str) -> SafeString:
    """The note as an element in the viewer's language, to follow the text it is about."""
    return format_html(
        '<small class="lang-note" lang="{}">{}</small>', get_language(), fallback_note(language)
    )


def marked(instance: Model, field: str, shown: str | None = None) -> SafeString:
    """The field's text for a page, marked as in another language where it falls back to one.

    `shown` is the text as the page prints it (cut short, say), by default the field's own; it is
    escaped unless it is already safe.
    """
    text = format_html("{}", (getattr(instance, field) or "") if shown is None else shown)
    language = fallback_language(instance, field)
    if not language:
        return text
    return format_html('<span lang="{}">{}</span> {}', language, text, fallback_note_html(language))


def in_viewers_order(queryset: QuerySet[AnyModel], field: str = "name") -> QuerySet[AnyModel]:
    """The rows in the alphabetical order of `field` in the viewer's language.

    Korean readers find 강남구 … 중랑구 in 가나다 order, English readers Dobong-gu … Yongsan-gu in
    theirs. Forms call it when they are built, not when their module is imported: the language
    is the request's.
    """
    return queryset.order_by(build_localized_fieldname(field, get_language()), "pk")


def icontains_in_any_language(field: str, text: str) -> Q:
    """Rows whose `field` contains `text` in any language, so a search finds untranslated rows."""
    query = Q()
    for column in language_fields(field):
        query |= Q(**{f"{column}__icontains": text})
    return query
