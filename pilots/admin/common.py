"""What the pilot admin pages share."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

# A spreadsheet program runs a cell starting with one of these as a formula, so text written by
# residents or managers could run in whoever opens the export. Korean and Japanese input methods
# type the full-width forms, which some spreadsheet programs read as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value: Any) -> Any:
    """The cell's value, text that would start a formula prefixed with a quote to keep it text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetSafeWriter:
    """A CSV writer whose every text cell goes through spreadsheet_safe."""

    def __init__(self, response: HttpResponse) -> None:
        self._writer = csv.writer(response)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_response(filename: str) -> tuple[HttpResponse, SpreadsheetSafeWriter]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark lets spreadsheet programs read Korean text as UTF-8.
    response.write("\ufeff")
    return response, SpreadsheetSafeWriter(response)
