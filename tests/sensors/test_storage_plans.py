"""The ingest's probe for stored readings keeps its plan when the statistics are stale.

New readings always carry times past what the last ANALYZE saw, and a new or emptied table has no
statistics at all: a probe for one reading must still be one descent of the device's index, not
a read of the whole table, nor of every device's readings at that time.
"""

from __future__ import annotations

import re

import orjson
import pytest
from django.db import connection

from sensors.services.storage import STORED_SQL
from tests.conftest import requires_postgres

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
