"""The map's clusters come from the cells each report stores, and the filters still apply."""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from portal.models import District
from portal.reports.models import CLUSTER_ZOOMS, Report
from portal.reports.selectors import ReportFilters, address_place, report_map
from portal.reports.services.geo import cell_degrees, map_cells
from tests.pilots.factories import PilotFactory
from tests.reports.factories import ReportFactory, category

pytestmark = pytest.mark.django_db


def city_map(zoom: int, filters: ReportFilters | None = None) -> list[dict[str, Any]]:
    """The features of the whole-city view at this zoom."""
    features: list[dict[str, Any]] = report_map(
        south=37.41, west=126.76, north=37.72, east=127.19, zoom=zoom, filters=filters
    )["features"]
    return features


def counts(filters: ReportFilters, zoom: int = 11) -> int:
    return sum(feature["properties"]["count"] for feature in city_map(zoom, filters))


def test_the_city_view_counts_only_what_each_filter_keeps() -> None:
    mapo, gangnam = District.objects.get(slug="mapo-gu"), District.objects.get(slug="gangnam-gu")
    smart_bins = PilotFactory.create(slug="smart-bins")
    late = timezone.now() - datetime.timedelta(days=1)
    ReportFactory.create(district=mapo, category=category("road"))
    ReportFactory.create(district=mapo, category=category("waste"), pilot=smart_bins)
    ReportFactory.create(district=gangnam, category=category("road"), due_at=late)
    ReportFactory.create(
        district=gangnam, category=category("road"), due_at=late, status=Report.Status.CLOSED
    )

    assert counts(ReportFilters()) == 4
    assert counts(ReportFilters(category="road")) == 3
    assert counts(ReportFilters(district="mapo-gu")) == 2
    assert counts(ReportFilters(pilot="smart-bins")) == 1
    assert counts(ReportFilters(status=Report.Status.CLOSED)) == 1
    # Closed reports are never overdue, however late they were.
    assert counts(ReportFilters(overdue=True)) == 1
    overdue = [feature["properties"]["overdue"] for feature in city_map(11)]
    assert sorted(overdue) == [0, 1]


def test_stored_cells_group_reports_as_cells_computed_from_their_places_would() -> None:
    rng = random.Random(7)
    places = [(37.55 + rng.gauss(0, 0.04), 126.98 + rng.gauss(0, 0.05)) for _n in range(60)]
    for latitude, longitude in places:
        ReportFactory.create(latitude=latitude, longitude=longitude)

    for zoom in CLUSTER_ZOOMS:
        side = cell_degrees(zoom)
        expected = Counter(
            (math.floor(latitude / side), math.floor(longitude / side))
            for latitude, longitude in places
        )
        features = city_map(zoom)

        assert sorted(f["properties"]["count"] for f in features) == sorted(expected.values())


def test_closer_than_the_stored_zooms_a_crowded_view_is_still_grouped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    place = District.objects.get(slug="jung-gu")
    for n in range(5):
        ReportFactory.create(
            latitude=place.center_latitude + n * 0.00001, longitude=place.center_longitude
        )
    monkeypatch.setattr("portal.reports.selectors.MAX_MAP_FEATURES", 3)

    crowded = report_map(
        south=place.center_latitude - 0.001,
        west=place.center_longitude - 0.001,
        north=place.center_latitude + 0.001,
        east=place.center_longitude + 0.001,
        zoom=16,
    )

    assert crowded["clustered"] is True
    assert sum(f["properties"]["count"] for f in crowded["features"]) == 5


def test_a_report_filed_anywhere_has_its_cell_at_every_cluster_zoom() -> None:
    report = ReportFactory.create(latitude=37.5665, longitude=126.978)

    cells = map_cells(latitude=37.5665, longitude=126.978)

    assert set(cells) == {f"cell_z{zoom}" for zoom in CLUSTER_ZOOMS}
    assert {name: getattr(report, name) for name in cells} == cells
    # A cell one zoom further out holds the cells of the next zoom in: half the rows and columns.
    row, column = divmod(cells["cell_z12"], 2**20)
    assert cells["cell_z11"] == (row // 2) * 2**20 + column // 2


def test_an_address_finds_only_its_district_and_its_centre() -> None:
    mapo = District.objects.get(slug="mapo-gu")

    found = address_place("서울 마포구 월드컵로 212")

    assert found == {
        "district": "mapo-gu",
        "district_name": mapo.name,
        "latitude": mapo.center_latitude,
        "longitude": mapo.center_longitude,
        "precision": "district",
    }
    assert address_place("Teheran-ro 152") is None
    assert address_place("   ") is None
