"""Lists sent as one array literal: PostgreSQL reads back exactly the values given, and
`__in_array` finds what `__in` finds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.arrays import array_literal
from sensors.models import Device
from tests.conftest import requires_postgres
from tests.sensors.factories import DeviceFactory

AWKWARD = ["plain", "a,b", "{braces}", 'say "hi"', "back\\slash", " spaced ", "NULL", "", "한글"]


@requires_postgres
@pytest.mark.django_db
def test_postgresql_reads_back_every_value_of_an_array_literal() -> None:
    moment = dt.datetime(2026, 12, 2, 16, 5, 30, 123456, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::bigint[], %s::timestamptz[], %s::integer[]",
            [
                array_literal(AWKWARD),
                array_literal([1, -2, 9_007_199_254_740_993]),
                array_literal([moment, None]),
                array_literal([None, 3]),
            ],
        )
        texts, numbers, moments, counts = cursor.fetchone()

    assert texts == AWKWARD
    assert numbers == [1, -2, 9_007_199_254_740_993]
    assert moments == [moment, None]
    assert counts == [None, 3]


@pytest.mark.django_db
def test_in_array_finds_what_in_finds_on_fields_and_relations() -> None:
    devices = DeviceFactory.create_batch(4)
    wanted = [devices[0].pk, devices[2].pk, devices[3].pk + 1_000]

    assert set(Device.objects.filter(pk__in_array=wanted)) == {devices[0], devices[2]}
    assert set(Device.objects.filter(district_id__in_array=[devices[1].district_id])) == set(
        Device.objects.filter(district_id__in=[devices[1].district_id])
    )
    names = [devices[1].name, 'no "such" device']
    assert list(Device.objects.filter(name__in_array=names)) == [devices[1]]


@pytest.mark.django_db
def test_in_array_of_nothing_matches_nothing_without_a_query() -> None:
    DeviceFactory.create()

    with CaptureQueriesContext(connection) as queries:
        assert list(Device.objects.filter(pk__in_array=[])) == []

    assert queries.captured_queries == []
