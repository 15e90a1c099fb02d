"""Reports filed under the old fixed categories keep everything when they migrate forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portal.reports.services.geo import map_cells
from tests.migrating import leaf_nodes, migrate, migrate_to_the_end

# The last migration of reports while a report's category was a fixed code in a text column.
BEFORE_CATEGORY_ROWS = "0002_categories_photos_workflow"


def _migrate_reports_to(name: str) -> Any:
    """Migrate reports back to `name`, every other app staying at its last migration, and return
    the historical apps there."""
    targets: list[tuple[str, str | None]] = [
        (app, leaf) for app, leaf in leaf_nodes() if app != "reports"
    ]
    targets.append(("reports", name))
    return migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_old_fixed_categories_become_category_rows_and_keep_their_reports() -> None:
    old = _migrate_reports_to(BEFORE_CATEGORY_ROWS)
    user = old.get_model("portal", "User").objects.create(username="kim")
    district = old.get_model("portal", "District").objects.get(slug="mapo-gu")
    filed = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    reports = old.get_model("reports", "Report").objects
    streetlight = reports.create(
        category="streetlight",
        description="The lamp by the school is dark.",
        latitude=37.5663,
        longitude=126.9019,
        district=district,
        reporter=user,
        created_at=filed,
    )
    safety = reports.create(
        category="safety",
        description="A loose railing on the bridge.",
        latitude=37.5512,
        longitude=126.9135,
        district=district,
        status="acknowledged",
        created_at=filed,
    )
    # A code the fixed list no longer had is kept as "other" rather than lost.
    unknown = reports.create(
        category="graffiti",
        description="Paint on the underpass.",
        latitude=37.5599,
        longitude=126.9085,
        district=district,
        created_at=filed,
    )

    new = migrate_to_the_end()

    categories = new.get_model("reports", "Category").objects
    assert set(categories.values_list("code", flat=True)) >= {
        "road",
        "streetlight",
        "waste",
        "air",
        "noise",
        "safety",
        "device",
        "other",
    }
    lamp = categories.get(code="streetlight")
    assert (lamp.name_ko, lamp.name_en) == ("가로등 고장", "Broken streetlight")
    assert lamp.target_days == 3
    assert categories.get(code="safety").sensitive is True

    moved = {report.pk: report for report in new.get_model("reports", "Report").objects.all()}
    assert moved[streetlight.pk].category.code == "streetlight"
    assert moved[safety.pk].category.code == "safety"
    assert moved[unknown.pk].category.code == "other"
    assert moved[streetlight.pk].description == "The lamp by the school is dark."
    assert moved[streetlight.pk].reporter_id == user.pk
    assert moved[streetlight.pk].district_id == district.pk
    assert moved[safety.pk].status == "acknowledged"
    # Each gets its own Open311 token and a due time from its category's target.
    assert len({report.token for report in moved.values()}) == 3
    assert moved[streetlight.pk].due_at == filed + dt.timedelta(days=3)
    assert moved[safety.pk].due_at == filed + dt.timedelta(days=2)
    assert moved[unknown.pk].due_at == filed + dt.timedelta(days=7)


@pytest.mark.django_db(transaction=True)
def test_reports_there_before_map_cells_get_the_cells_the_filing_service_would_give() -> None:
    old = _migrate_reports_to("0004_category_required")
    # A transactional test before this one may have emptied the categories the migrations load.
    category, _created = old.get_model("reports", "Category").objects.get_or_create(
        code="road", defaults={"name": "도로·보도 파손", "name_ko": "도로·보도 파손"}
    )
    places = [(37.5663, 126.9019), (37.4979, 127.0276), (37.6541, 127.0568)]
    reports = old.get_model("reports", "Report").objects
    ids = [
        reports.create(
            category=category, description="Pothole", latitude=latitude, longitude=longitude
        ).pk
        for latitude, longitude in places
    ]

    new = migrate_to_the_end()

    for report_id, (latitude, longitude) in zip(ids, places, strict=True):
        report = new.get_model("reports", "Report").objects.get(pk=report_id)
        stored = {name: getattr(report, name) for name in map_cells(latitude=0, longitude=0)}
        assert stored == map_cells(latitude=latitude, longitude=longitude)
