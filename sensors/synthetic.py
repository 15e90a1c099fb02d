"""One model of plausible readings on a Seoul street, for the demo's history and the simulator.

Values follow Seoul's rhythm: fine dust and noise rise with the morning and evening rush hours,
temperature peaks mid-afternoon, pedestrians fill the streets by day, households use most energy
in the evening. On that rhythm sit how a device differs from its neighbours (`bias`, fixed per
device) and the moment's own deviation (`wander`), both in standard deviations; a dust event
multiplies fine dust (`dust`). As on most days in Seoul, fine dust stays good or moderate (PM2.5
at most 35 µg/m³) across nearly the whole city; dust events are rare and regional: a few a day,
each over a district or a few for some hours (`demo_dust` for the demo's history; the simulator
starts its own alike). The demo draws `wander` afresh for every reading of its week of
history; the simulator lets it wander smoothly from one reading to the next (`wander_step`).
Nothing here is a measurement: these values exist to show and test the portal.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from functools import lru_cache

from sensors.catalogue import METRICS
from sensors.models import Device

SEOUL = dt.timedelta(hours=9)

# What each kind of device measures.
KIND_METRICS: dict[str, list[str]] = {
    Device.Kind.AIR_QUALITY: ["pm10", "pm25"],
    Device.Kind.WEATHER: ["temperature", "humidity"],
    Device.Kind.NOISE: ["noise"],
    Device.Kind.PEDESTRIAN_COUNTER: ["pedestrians"],
    Device.Kind.VEHICLE_COUNTER: ["vehicles"],
    Device.Kind.ENERGY_METER: ["energy"],
    Device.Kind.BATTERY: ["battery_soc"],
}

# The catalogue's physically possible range of every metric the model knows; values stay inside.
LIMITS: dict[str, tuple[float, float]] = {
    spec["code"]: (spec["min_value"], spec["max_value"])
    for spec in METRICS
    if any(spec["code"] in codes for codes in KIND_METRICS.values())
}

# Counts are whole numbers.
COUNTS = frozenset({"pedestrians", "vehicles"})

# How much of its last deviation a wandering value keeps from one reading to the next.
WANDER_MEMORY = 0.9


def seoul_hour(moment: dt.datetime) -> float:
    """The hour of the day in Seoul, with minutes and seconds as its fraction."""
    local = moment.astimezone(dt.UTC) + SEOUL
    return local.hour + local.minute / 60 + local.second / 3600


def wander_step(previous: float, rng: random.Random) -> float:
    """The next deviation of a value that wanders smoothly, in standard deviations.

    A bounded random walk: it keeps most of the last deviation and adds a little noise, scaled so
    that in the long run it varies as much as a fresh draw would.
    """
    return previous * WANDER_MEMORY + rng.gauss(0, math.sqrt(1 - WANDER_MEMORY**2))


def reading_value(
    metric: str,
    moment: dt.datetime,
    *,
    bias: float = 0.0,
    wander: float = 0.0,
    dust: float = 1.0,
) -> float:
    """A plausible value of `metric` (a code in `LIMITS`) at `moment`."""
    hour = seoul_hour(moment)
    rush = math.exp(-((hour - 8.5) ** 2) / 1.5) + math.exp(-((hour - 18.5) ** 2) / 2.0)
    day = math.sin((hour - 9) / 24 * 2 * math.pi)  # Highest mid-afternoon, lowest before dawn.
    awake = 1.0 if 7 <= hour <= 23 else 0.0
    evening = math.exp(-((hour - 20) ** 2) / 6)
    values: dict[str, float] = {
        # About 13 µg/m³ at night and 23 at the rush hours' peak: good to moderate, as Seoul's
        # yearly mean of about 18 is; a device three deviations off still reads moderate.
        "pm25": (13 + 10 * rush + 2.5 * bias + 2.5 * wander) * dust,
        "pm10": (26 + 20 * rush + 5 * bias + 5 * wander) * dust,
        "temperature": 6 + 5 * day + 0.8 * bias + 0.5 * wander,
        "humidity": 58 - 14 * day + 3 * bias + 2.5 * wander,
        "noise": 46 + 17 * rush + 7 * awake + 2 * bias + 2 * wander,
        "pedestrians": 8 + 60 * rush + 30 * awake * (1 + day) + 7 * wander,
        "vehicles": 6 + 45 * rush + 12 * awake + 4.5 * wander,
        "energy": 1.2 + 2.5 * evening + 0.25 * wander,
        # Charged by the afternoon sun, spent through the evening peak.
        "battery_soc": 55 + 35 * math.sin((hour - 10) / 24 * 2 * math.pi) + 1.2 * wander,
    }
    low, high = LIMITS[metric]
    value = min(max(values[metric], low), high)
    return round(value) if metric in COUNTS else round(value, 1)


# Fine dust is what a dust event lifts.
DUST_METRICS = frozenset({"pm25", "pm10"})
# Dust events a day across the city's 25 districts, in the demo's history and in the simulator.
DUST_EVENTS_PER_DAY = 3.0
SEOUL_DISTRICTS = 25


@dataclass(frozen=True)
class DustEvent:
    """Fine dust lifted `factor` times over a district from `start` to `end`, in hours."""

    start: float
    end: float
    factor: float

    def dust_at(self, hour: float) -> float:
        """The factor at `hour`: it builds up over the first hour (or quarter, if shorter) and
        clears over the last."""
        if not self.start <= hour < self.end:
            return 1.0
        build_up = min(1.0, (self.end - self.start) / 4)
        ramp = min(1.0, (hour - self.start) / build_up, (self.end - hour) / build_up)
        return 1.0 + (self.factor - 1.0) * ramp


def dust_event_draw(rng: random.Random, *, start: float) -> DustEvent:
    """A dust event from `start`: two to six hours long, fine dust two to three times higher."""
    return DustEvent(start=start, end=start + rng.uniform(2, 6), factor=rng.uniform(2.0, 3.0))


@lru_cache(maxsize=4096)
def _demo_dust_event(day: dt.date, district: str) -> DustEvent | None:
    rng = random.Random(f"dust:{day.isoformat()}:{district}")  # noqa: S311 - demo values.
    if rng.random() >= DUST_EVENTS_PER_DAY / SEOUL_DISTRICTS:
        return None
    return dust_event_draw(rng, start=rng.uniform(0, 20))


def demo_dust(district: str, moment: dt.datetime) -> float:
    """The dust factor over `district` (any stable key) at `moment` in the demo's history.

    A district has a dust event on about one day in eight, so the city sees a few a day, each
    over its own district; everywhere else, and where no district is given, the factor is 1.
    """
    if not district:
        return 1.0
    local = moment.astimezone(dt.UTC) + SEOUL
    event = _demo_dust_event(local.date(), district)
    if event is None:
        return 1.0
    return event.dust_at(local.hour + local.minute / 60 + local.second / 3600)
