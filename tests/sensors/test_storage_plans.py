"""The ingest's statements keep their cost as tables grow and statistics go stale.

The probe for stored readings keeps its plan when the statistics are stale, and rollups are
updated in place (see the last test).

New readings always carry times past what the last ANALYZE saw, and a new or emptied table has no
statistics at all: a probe for one reading must still be one descent of the device's index, not
a read of the whole table, nor of every device's readings at that time.
"""

from __future__ import annotations

import re

import orjson
import pytest
from django.db import connection, transaction

from sensors.models import Metric
from sensors.services.storage import STORE_AND_ROLL_UP_SQL, STORED_SQL
from tests.conftest import requires_postgres
from tests.sensors.factories import DeviceFactory

pytestmark = [requires_postgres, pytest.mark.django_db]

AT = "2026-12-02T09:00:30+00:00"


STATIONS = (
    "INSERT INTO sensors_reading (device_id, metric_id, time, value) "
    "SELECT 100000 + d, m, %s::timestamptz - t * interval '1 second', 1 "
    "FROM generate_series(1, 200) AS d, generate_series(1, 10) AS m, generate_series(0, 29) AS t"
)


def test_a_reading_is_probed_by_its_device_metric_and_time_after_stale_statistics() -> None:
    with connection.cursor() as cursor:
        # An ANALYZE that found the table's rows all deleted: the planner then believes it empty,
        # however many rows come after. Then 200 stations report every metric at 30 moments.
        cursor.execute(STATIONS, [AT])
        cursor.execute("DELETE FROM sensors_reading")
        cursor.execute("ANALYZE sensors_reading")
        cursor.execute(STATIONS, [AT])
        keys = [[100000 + device, metric, AT] for device in range(1, 11) for metric in range(1, 11)]
        cursor.execute(f"EXPLAIN {STORED_SQL}", [orjson.dumps(keys).decode()])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Seq Scan on sensors_reading" not in plan, plan
    scans = re.findall(r"Index (?:Only )?Scan using (\w+) on sensors_reading", plan)
    conditions = re.findall(r"Index Cond: (.*)", plan)
    assert scans == ["reading_device_metric_time"], plan
    assert all(name in conditions[0] for name in ("device_id", "metric_id", "time")), plan


def _rollup_wal_records(rows: list[list[object]]) -> dict[str, int]:
    """WAL records written into each rollup table by storing `rows`, from the plan's counters."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, WAL, FORMAT JSON) {STORE_AND_ROLL_UP_SQL}",
            [orjson.dumps(rows).decode()],
        )
        [plan] = cursor.fetchone()[0]
    found: dict[str, int] = {}

    def walk(node: dict[str, object]) -> None:
        if node.get("Node Type") == "ModifyTable" and str(node["Relation Name"]).endswith("rollup"):
            found[str(node["Relation Name"])] = int(str(node["WAL Records"]))
        for child in node.get("Plans", []):  # type: ignore[attr-defined]
            walk(child)

    walk(plan["Plan"])
    return found


@pytest.mark.django_db(transaction=True)
def test_rollups_are_updated_in_place_without_new_index_entries() -> None:
    """Every reading updates its minute and hour rollups. With room left on their pages
    (migration 0007), an update is written in place: a lock and the new version, two WAL
    records. Packed pages move each new version to another page, with an entry in each of the
    table's three indexes besides: five or six records, and about four times the time. Each
    round commits, as the ingest does: only then are the versions it replaced dead, and their
    room free."""
    devices = DeviceFactory.create_batch(50)
    metrics = list(Metric.objects.values_list("id", flat=True)[:10])
    # The first rounds fill the room the inserts left; from then on pruning frees it again.
    for second in range(8):
        at = f"2026-12-02T09:00:{second:02d}+00:00"
        rows = [[device.pk, metric, at, 1.5] for device in devices for metric in metrics]
        with transaction.atomic():
            records = _rollup_wal_records(rows)
    updated = len(devices) * len(metrics)

    assert records == {
        "sensors_minuterollup": pytest.approx(2 * updated, rel=0.15),
        "sensors_hourrollup": pytest.approx(2 * updated, rel=0.15),
    }
