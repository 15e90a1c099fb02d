"""Text the database cannot store, found wherever it hides in a request.

PostgreSQL refuses a NUL character in text, and UTF-8 (so psycopg) cannot encode a lone
surrogate: either would fail deep inside a query as a server error. Python strings hold both
happily (JSON's `\\u0000` and `\\ud800` escapes make them), so they are refused as they come
in, naming where they were: by `portal.middleware` for paths, queries and forms, and by
`portal.rest_parsing` for the API's bodies. Device ingest and MQTT call `find_unstorable` on
what they parse themselves (`sensors.ingest.check_readings`, `sensors.mqtt`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from portal.errors import PortalError

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A field's name, or any other text a caller sent, is echoed back; a long one is cut, whatever
# it is, so that no answer grows with its input.
NAME_LIMIT = 40

MESSAGE = _(
    "This contains a character that cannot be stored: a NUL character or half of a surrogate pair."
)
CODE = PortalError.UNSTORABLE_TEXT


# JSON text can hold a NUL or half of a surrogate pair only as a `\u` escape: the characters
# themselves are refused, a NUL as a control character inside a string and a surrogate as
# invalid UTF-8 (a NUL byte or other UTF-8 in the text is left to `find_unstorable`).
UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def json_storable(raw: bytes | bytearray) -> bool:
    """Whether the JSON text `raw` surely holds nothing that cannot be stored.

    Learnt from the bytes in one scan, without walking what they parse to, for the thousands of
    device messages a second. True when `raw` is UTF-8 with no NUL byte and no `\\u` escape of a
    NUL or a surrogate; False means only that `find_unstorable` must look at the parsed values.
    """
    if b"\x00" in raw or UNSTORABLE_ESCAPE.search(raw) is not None:
        return False
    if raw.isascii():
        return True
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def is_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def printable_name(name: str) -> str:
    """`name` fit to be shown: unstorable characters as escapes, cut to a few dozen characters.

    The one way input is echoed in an answer (a field's name, an unknown metric, a value).
    """
    shown = UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", name)
    return shown if len(shown) <= NAME_LIMIT else shown[: NAME_LIMIT - 1] + "…"


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def find_unstorable(value: Any, *, where: str = "") -> str | None:
    """The dotted name (`answers.0.text`) of the first text in `value` that cannot be stored.

    Walks JSON-like data (mappings, lists, strings) and forms; keys count as much as values.
    `where` names `value` itself. None when everything can be stored. Walks with a list rather
    than by recursion, so that however deep a JSON body nests, the walk cannot overflow.
    """
    if type(value) is dict:
        # A flat object of plain values, as each of the thousands of readings devices send every
        # second is: one search over all its text finds whether there is anything to name.
        texts: list[str] = []
        for key, each in value.items():
            kind = type(each)
            if kind is str:
                texts.append(each)
            elif kind not in _SCALARS:
                break
            if type(key) is str:
                texts.append(key)
        else:
            if UNSTORABLE.search("".join(texts)) is None:
                return None
    pending: list[tuple[str, Any]] = [(where, value)]
    while pending:
        name, item = pending.pop()
        if isinstance(item, str):
            if is_unstorable(item):
                return name or "value"
        elif isinstance(item, MultiValueDict):
            # A form or a query: a name's values are one field, named without an index.
            for key, values in reversed(list(item.lists())):
                field = _join(name, key)
                if is_unstorable(key):
                    return field
                pending.extend((field, each) for each in reversed(values))
        elif isinstance(item, Mapping):
            for key, each in reversed(list(item.items())):
                field = _join(name, key)
                if isinstance(key, str) and is_unstorable(key):
                    return field
                pending.append((field, each))
        elif isinstance(item, list | tuple):
            pending.extend(
                (_join(name, index), each) for index, each in reversed(list(enumerate(item)))
            )
    return None
