"""What the pilot admin pages share."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse


def csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark lets spreadsheet programs read Korean text as UTF-8.
    response.write("\ufeff")
    return response, csv.writer(response)
