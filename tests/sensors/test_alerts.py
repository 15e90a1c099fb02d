"""Alerts open when a rule is broken and close when the condition clears."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pytest_django import Settings

from sensors.models import Alert, Device, IngestBatch
from sensors.services import devices_check_silent, ingest_batch_accept, ingest_batch_process

pytestmark = pytest.mark.django_db


def send(device: Device, metric: str, value: float, minutes_ago: float = 0) -> None:
    time = timezone.now() - dt.timedelta(minutes=minutes_ago)
    ingest_batch_accept(
        device=device,
        items=[{"metric": metric, "time": time.isoformat(), "value": value}],
        source=IngestBatch.Source.HTTP,
    )
    for batch_id in IngestBatch.objects.values_list("id", flat=True):
        ingest_batch_process(batch_id=batch_id)


def open_rules(device: Device) -> set[str]:
    return set(
        Alert.objects.filter(device=device, closed_at__isnull=True).values_list("rule", flat=True)
    )


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("pm25", 35.9, set()),
        ("pm25", 36, {"pm25_bad"}),
        ("pm25", 76, {"pm25_bad", "pm25_very_bad"}),
        ("pm10", 80.9, set()),
        ("pm10", 81, {"pm10_bad"}),
        ("pm10", 151, {"pm10_bad", "pm10_very_bad"}),
        ("temperature", 32.9, set()),
        ("temperature", 33, {"heat_wave"}),
        ("humidity", 100, set()),
    ],
)
def test_a_reading_at_or_above_a_band_opens_its_alert(
    public_device: Device, metric: str, value: float, expected: set[str]
) -> None:
    send(public_device, metric, value)

    assert open_rules(public_device) == expected


def test_an_open_alert_is_not_opened_twice(public_device: Device) -> None:
    send(public_device, "pm25", 50, minutes_ago=2)
    send(public_device, "pm25", 60, minutes_ago=1)

    alert = Alert.objects.get()
    assert (alert.rule, alert.level, alert.value) == ("pm25_bad", "warning", 50)
    assert "50" in alert.message


def test_alerts_close_when_the_air_clears(public_device: Device) -> None:
    send(public_device, "pm25", 90, minutes_ago=2)
    send(public_device, "pm25", 40, minutes_ago=1)
    assert open_rules(public_device) == {"pm25_bad"}

    send(public_device, "pm25", 12)

    assert open_rules(public_device) == set()
    assert Alert.objects.filter(closed_at__isnull=False).count() == 2


def test_a_late_old_reading_does_not_reopen_an_alert(public_device: Device) -> None:
    send(public_device, "pm25", 12)
    send(public_device, "pm25", 90, minutes_ago=30)

    assert open_rules(public_device) == set()


def test_the_database_allows_one_open_alert_per_device_and_rule(public_device: Device) -> None:
    fields: dict[str, Any] = {
        "device": public_device,
        "rule": Alert.Rule.HEAT_WAVE,
        "level": Alert.Level.WARNING,
        "message": "hot",
        "opened_at": timezone.now(),
    }
    Alert.objects.create(**fields, closed_at=timezone.now())
    Alert.objects.create(**fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(**fields)


def test_a_silent_device_raises_an_alert_once_and_it_closes_when_the_device_speaks(
    public_device: Device, settings: Settings
) -> None:
    settings.SENSORS_SILENT_AFTER = 15 * 60
    now = timezone.now()
    Device.objects.filter(pk=public_device.pk).update(last_seen_at=now - dt.timedelta(minutes=16))

    devices_check_silent(now=now)
    devices_check_silent(now=now + dt.timedelta(minutes=1))
    assert open_rules(public_device) == {"device_silent"}
    assert Alert.objects.count() == 1

    send(public_device, "humidity", 50)

    assert open_rules(public_device) == set()


def test_a_device_heard_from_lately_or_never_is_not_silent(public_device: Device) -> None:
    never = Device.objects.create(
        name="new-device",
        kind=public_device.kind,
        district=public_device.district,
        latitude=37.5,
        longitude=127.0,
    )
    Device.objects.filter(pk=public_device.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(minutes=14)
    )

    devices_check_silent()

    assert not Alert.objects.filter(device__in=[public_device, never]).exists()


def test_a_silent_alert_closes_when_the_device_goes_into_maintenance(public_device: Device) -> None:
    Device.objects.filter(pk=public_device.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    devices_check_silent()
    Device.objects.filter(pk=public_device.pk).update(status=Device.Status.MAINTENANCE)

    devices_check_silent()

    assert open_rules(public_device) == set()


def test_a_retired_devices_air_quality_alerts_close(public_device: Device) -> None:
    send(public_device, "pm25", 80)
    assert open_rules(public_device) == {"pm25_bad", "pm25_very_bad"}
    Device.objects.filter(pk=public_device.pk).update(status=Device.Status.RETIRED)

    devices_check_silent()

    assert open_rules(public_device) == set()


def test_alerts_of_many_devices_open_and_close_in_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    """A dust front crossing the city opens hundreds of alerts in one group: one statement each
    for opening and closing them, not one per alert."""
    from sensors.models import Metric, Reading
    from sensors.services import alerts_evaluate
    from tests.sensors.factories import DeviceFactory

    pm25 = Metric.objects.get(code="pm25")
    devices = DeviceFactory.create_batch(30)
    now = timezone.now()

    def evaluate(value: float, minutes_ago: int) -> list[Alert]:
        Reading.objects.bulk_create(
            Reading(
                device=device,
                metric=pm25,
                time=now - dt.timedelta(minutes=minutes_ago),
                value=value,
            )
            for device in devices
        )
        touched = [(device.pk, pm25.pk) for device in devices]
        # SQLite, at embedded scale, asks for each device's newest value on its own.
        per_device = 0 if connection.vendor == "postgresql" else len(devices)
        with django_assert_max_num_queries(4 + per_device):
            return alerts_evaluate(metrics={pm25.pk: pm25}, touched=touched, now=now)

    opened = evaluate(90, minutes_ago=2)
    assert len(opened) == 60  # "bad" and "very bad" on each device
    assert all(alert.pk for alert in opened)
    assert Alert.objects.filter(closed_at__isnull=True).count() == 60

    closed = evaluate(10, minutes_ago=1)
    assert {alert.pk for alert in closed} == {alert.pk for alert in opened}
    assert not Alert.objects.filter(closed_at__isnull=True).exists()
