"""Content in the viewer's language, marked where it is shown in the other one.

`{% translated pilot "title" %}` prints the title; when the viewer's language has none and the
text comes from the other language, it is wrapped in an element with that `lang` (so that screen
readers pronounce it right) and followed by a small "(in Korean)" note.

For an element whose content is not simply the field, `{% fallback_language consent "text" as
consent_lang %}` gives the language to put in its own `lang` attribute, and
`{% lang_note consent_lang %}` the note.
"""

from __future__ import annotations

from django import template
from django.db.models import Model
from django.template.defaultfilters import linebreaksbr, truncatewords
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portal import languages

register = template.Library()


@register.simple_tag
def translated(instance: Model, field: str, words: int = 0, lines: bool = False) -> SafeString:
    """The field's text, cut to `words` words if given, with its line breaks kept if `lines`."""
    text: str = getattr(instance, field) or ""
    shown = format_html("{}", truncatewords(text, words) if words else text)
    if lines:
        shown = SafeString(linebreaksbr(shown, autoescape=True))
    return languages.marked(instance, field, shown)


@register.simple_tag
def fallback_language(instance: Model, field: str) -> str:
    return languages.fallback_language(instance, field)


@register.simple_tag
def lang_note(language: str) -> SafeString:
    if not language:
        return SafeString("")
    return format_html(" {}", languages.fallback_note_html(language))
