"""The simulator: plausible values with Seoul's rhythm, dust events, drop-outs, real tokens."""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any

import pytest

from sensors import simulator, synthetic
from sensors.catalogue import METRICS
from sensors.models import Device, DeviceCredential
from sensors.services import CredentialError, device_credential_check, device_credential_issue


class RecordingTransport:
    """Keeps what would have been sent, instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, list[dict[str, Any]]]] = []
        self.closed = False

    def send(self, device: simulator.SimulatedDevice, readings: list[dict[str, Any]]) -> bool:
        self.sent.append((device.id, readings))
        return True

    def close(self) -> None:
        self.closed = True


def sim_device(number: int = 1, metrics: list[str] | None = None) -> simulator.SimulatedDevice:
    return simulator.SimulatedDevice(
        id=number, name=f"sim-{number}", metrics=metrics or ["pm25", "pm10"], token="t"
    )


def seoul(hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, 25, hour, 0, tzinfo=dt.UTC) - dt.timedelta(hours=9)


def mean_value(metric: str, moment: dt.datetime, dust: float = 1.0) -> float:
    rng = random.Random(7)
    values = [
        simulator.value_at(metric, moment, device=sim_device(n), dust=dust, rng=rng)
        for n in range(200)
    ]
    return sum(values) / len(values)


def test_every_value_stays_inside_its_metrics_physical_range() -> None:
    limits = {spec["code"]: (spec["min_value"], spec["max_value"]) for spec in METRICS}
    rng = random.Random(1)
    device = sim_device(metrics=list(synthetic.LIMITS))
    for hour in range(24):
        for metric in synthetic.LIMITS:
            value = simulator.value_at(metric, seoul(hour), device=device, dust=3.5, rng=rng)
            low, high = limits[metric]
            assert low <= value <= high, (metric, hour, value)


def test_fine_dust_is_worse_in_the_morning_rush_than_before_dawn() -> None:
    assert mean_value("pm25", seoul(8)) > mean_value("pm25", seoul(4)) * 1.5


def test_afternoons_are_warmer_than_nights() -> None:
    assert mean_value("temperature", seoul(15)) > mean_value("temperature", seoul(3)) + 5


def test_a_dust_event_lifts_fine_dust() -> None:
    assert mean_value("pm10", seoul(12), dust=2.5) > mean_value("pm10", seoul(12)) * 2


def test_a_device_that_drops_out_sends_nothing_until_it_comes_back() -> None:
    transport = RecordingTransport()
    sim = simulator.Simulator(
        devices=[sim_device()], transport=transport, interval=1, seed=3, dropout_chance=1.0
    )
    device = sim.devices[0]

    assert sim.readings_for(device, 1_000.0) == []
    assert sim.readings_for(device, 1_030.0) == []
    sim.dropout_chance = 0.0
    back = device.offline_until + 1
    assert [reading["metric"] for reading in sim.readings_for(device, back)] == ["pm25", "pm10"]
    assert sim.stats.dropouts == 1


def test_it_sends_every_device_once_per_interval_and_stops_after_its_duration() -> None:
    moments = iter(float(step) / 10 for step in range(10_000))
    transport = RecordingTransport()
    sim = simulator.Simulator(
        devices=[sim_device(1), sim_device(2)],
        transport=transport,
        interval=1.0,
        seed=1,
        dropout_chance=0.0,
        now=lambda: next(moments),
    )

    stats = sim.run(stop=threading.Event(), duration=3.0, workers=1)

    assert sorted(device for device, _readings in transport.sent) == [1, 1, 1, 2, 2, 2]
    assert stats.readings == 12
    assert transport.closed


def test_readings_are_shaped_as_the_ingest_expects() -> None:
    sim = simulator.Simulator(
        devices=[sim_device()], transport=RecordingTransport(), interval=1, dropout_chance=0
    )

    (first, _second) = sim.readings_for(sim.devices[0], 1_764_000_000.0)

    assert set(first) == {"metric", "time", "value"}
    assert dt.datetime.fromisoformat(first["time"]).tzinfo is not None


def test_the_mqtt_payload_carries_the_token_beside_the_readings() -> None:
    payload = simulator.mqtt_payload("secret", [{"metric": "pm25", "time": "t", "value": 1}])

    assert '"token": "secret"' in payload
    assert '"readings": [' in payload


@pytest.mark.django_db
def test_it_prepares_devices_with_working_tokens(public_device: Device) -> None:
    prepared = simulator.simulated_devices_prepare(count=3)

    assert prepared[0].id == public_device.pk
    assert len(prepared) == 3
    assert Device.objects.filter(name__startswith="sim-").count() == 2
    for device in prepared:
        assert device_credential_check(token=device.token).device_id == device.id
    assert DeviceCredential.objects.count() == 3


@pytest.mark.django_db
def test_a_new_run_revokes_the_simulators_earlier_tokens_and_no_others(
    public_device: Device,
) -> None:
    _credential, own_token = device_credential_issue(device=public_device)
    first = simulator.simulated_devices_prepare(count=2)

    second = simulator.simulated_devices_prepare(count=2)

    assert DeviceCredential.objects.filter(revoked_at__isnull=True).count() == 3
    for old, new in zip(first, second, strict=True):
        with pytest.raises(CredentialError):
            device_credential_check(token=old.token)
        assert device_credential_check(token=new.token).device_id == new.id
    assert device_credential_check(token=own_token).device == public_device


@pytest.mark.django_db
def test_preparing_twice_reuses_the_simulated_devices() -> None:
    simulator.simulated_devices_prepare(count=4)
    simulator.simulated_devices_prepare(count=4)

    assert Device.objects.filter(name__startswith="sim-").count() == 4


def city_devices(districts: int = 25) -> list[simulator.SimulatedDevice]:
    return [
        simulator.SimulatedDevice(
            id=n, name=f"sim-{n}", metrics=["pm25"], token="t", district=f"district-{n % districts}"
        )
        for n in range(100)
    ]


def test_dust_events_come_a_few_times_a_day_whatever_the_number_of_readings() -> None:
    clock = {"now": 0.0}
    sim = simulator.Simulator(
        devices=city_devices(),
        transport=RecordingTransport(),
        interval=5,
        seed=5,
        now=lambda: clock["now"],
    )
    days = 20
    # Every device's reading asks about the weather: 20 a second, as 100 devices every 5 s.
    for step in range(days * 86_400 // 60):
        sim.dust_factor(step * 60.0, "district-0")

    assert 1.5 * days <= sim.stats.dust_events <= 5 * days


def test_a_dust_event_lifts_fine_dust_over_a_few_districts_and_nowhere_else() -> None:
    sim = simulator.Simulator(
        devices=city_devices(), transport=RecordingTransport(), interval=5, seed=8, dust_per_day=0
    )
    cloud = sim.start_dust_event(at=0.0)
    an_hour_in = 3600.0
    lifted = {
        district
        for district in {device.district for device in sim.devices}
        if sim.dust_factor(an_hour_in, district) > 1.5
    }

    assert 1 <= len(lifted) <= 3
    assert lifted == set(cloud.districts)
    assert sim.dust_factor(cloud.event.end * 3600 + 1, next(iter(lifted))) == 1.0


def test_without_a_dust_event_the_city_reads_good_or_moderate_at_the_rush_hour() -> None:
    sim = simulator.Simulator(
        devices=city_devices(), transport=RecordingTransport(), interval=5, seed=2, dust_per_day=0
    )
    rush = seoul(8).timestamp() + 30 * 60
    values = [
        reading["value"]
        for step in range(30)
        for device in sim.devices
        for reading in sim.readings_for(device, rush + step * 5)
    ]

    # At or below 35 µg/m³ of PM2.5 is "moderate" or better in Korea's bands.
    assert sum(value <= 35 for value in values) / len(values) > 0.98
