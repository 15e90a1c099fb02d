"""Dates and times read as their readers write them."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, translation


def test_a_korean_date_with_its_time_puts_the_afternoon_before_the_hour() -> None:
    moment = dt.datetime(2026, 12, 1, 13, 4)  # noqa: DTZ001 - formatting only.

    with translation.override("ko"):
        written = formats.date_format(moment, "DATETIME_FORMAT")

    assert written == "2026년 12월 1일 오후 1:04"


def test_korean_keeps_djangos_formats_it_does_not_change() -> None:
    with translation.override("ko"):
        assert formats.get_format("DATE_FORMAT") == "Y년 n월 j일"
        assert formats.get_format("TIME_FORMAT") == "A g:i"


def test_short_english_dates_run_year_month_day_not_month_first() -> None:
    moment = dt.datetime(2026, 12, 1, 13, 54)  # noqa: DTZ001 - formatting only.

    with translation.override("en"):
        written = formats.date_format(moment, "SHORT_DATETIME_FORMAT")

    assert written == "2026-12-01 13:54"
