"""Checking what a device sends before anything is stored.

The same checks serve HTTP and MQTT. A body is a JSON list of readings or one reading alone; each
reading is `{"metric": "pm25", "time": "2026-11-25T09:00:00+09:00", "value": 41.5}`, optionally
with `"device"` naming the sender. Readings are judged one by one: the good ones are accepted and
each bad one is reported by its index, a stable code and a reason a person can read. Problems with
the body as a whole (not JSON, too big, not a list of objects) raise `BodyError` instead.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.utils.translation import gettext as _

from sensors.errors import SensorError

UTC = dt.UTC
# Clocks on devices drift; a reading a little ahead of ours is believed.
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)


class BodyError(Exception):
    """The body as a whole cannot be used; `status` is the HTTP status to answer with."""

    def __init__(self, *, status: int, code: SensorError, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class MetricBounds:
    id: int
    code: str
    min_value: float
    max_value: float


@dataclass
class CheckedBatch:
    """Accepted readings as `(metric id, UTC time in ISO 8601, value)` and the rejections."""

    rows: list[tuple[int, str, float]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.rows)


def parse_body(raw: bytes, *, max_bytes: int, max_readings: int) -> list[Any]:
    """The readings in a request or message body, as a list; raises `BodyError`."""
    if len(raw) > max_bytes:
        raise BodyError(
            status=413,
            code=SensorError.BODY_TOO_LARGE,
            message=_("The body is larger than %(limit)d bytes.") % {"limit": max_bytes},
        )
    return readings_from(loads(raw), max_readings=max_readings)


def loads(raw: bytes | bytearray) -> Any:
    """The JSON in `raw`; raises `BodyError` (400 `malformed_json`) if it is not JSON.

    orjson parses a body several times faster than the standard library, but refuses what Python
    has always read: `NaN`, `Infinity` and integers past 64 bits. Those bodies are read again the
    slow way, so that such a value is refused as one reading (`not_a_number`), not the whole body.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise BodyError(
            status=400, code=SensorError.MALFORMED_JSON, message=_("The body is not valid JSON.")
        ) from None


def readings_from(data: Any, *, max_readings: int) -> list[Any]:
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise BodyError(
            status=400,
            code=SensorError.NOT_A_LIST,
            message=_("The body must be a list of readings or one reading."),
        )
    if not data:
        raise BodyError(
            status=400, code=SensorError.EMPTY, message=_("The body holds no readings.")
        )
    if len(data) > max_readings:
        raise BodyError(
            status=413,
            code=SensorError.TOO_MANY_READINGS,
            message=_("A batch holds at most %(limit)d readings; this one has %(count)d.")
            % {"limit": max_readings, "count": len(data)},
        )
    return data


def _is_number(value: Any) -> bool:
    # JSON true/false arrive as bool, which Python counts as an int; NaN and Infinity are not
    # measurements either.
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        # A JSON integer of hundreds of digits is valid JSON but no float, let alone a measurement.
        return False


def _names_device(value: Any, *, device_id: int, device_name: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == device_id
    return isinstance(value, str) and value in {str(device_id), device_name}


def check_readings(
    items: list[Any],
    *,
    device_id: int,
    device_name: str,
    metrics: dict[str, MetricBounds],
    now: dt.datetime,
    max_age: dt.timedelta,
) -> CheckedBatch:
    """Sort `items` into accepted rows and rejections; see the module docstring."""
    batch = CheckedBatch()
    latest = now + MAX_CLOCK_SKEW
    earliest = now - max_age

    def reject(index: int, code: SensorError, reason: str) -> None:
        batch.rejected.append({"index": index, "code": code, "reason": reason})

    for index, item in enumerate(items):
        if not isinstance(item, dict):
            reject(index, SensorError.NOT_AN_OBJECT, _("A reading must be a JSON object."))
            continue
        if "metric" not in item or "time" not in item or "value" not in item:
            missing = [name for name in ("metric", "time", "value") if name not in item]
            reject(
                index,
                SensorError.MISSING_FIELD,
                _("Missing field: %(fields)s.") % {"fields": ", ".join(missing)},
            )
            continue
        if "device" in item and not _names_device(
            item["device"], device_id=device_id, device_name=device_name
        ):
            reject(index, SensorError.WRONG_DEVICE, _("A device may only send its own readings."))
            continue
        code = item["metric"]
        metric = metrics.get(code) if isinstance(code, str) else None
        if metric is None:
            reject(
                index,
                SensorError.UNKNOWN_METRIC,
                _("Unknown metric: %(metric)r.") % {"metric": code},
            )
            continue
        value = item["value"]
        if not _is_number(value):
            reject(index, SensorError.NOT_A_NUMBER, _("The value is not a number."))
            continue
        if not metric.min_value <= value <= metric.max_value:
            reject(
                index,
                SensorError.OUT_OF_RANGE,
                _("%(value)s is outside the possible range of %(metric)s (%(min)s to %(max)s).")
                % {
                    "value": value,
                    "metric": metric.code,
                    "min": metric.min_value,
                    "max": metric.max_value,
                },
            )
            continue
        raw_time = item["time"]
        try:
            time = dt.datetime.fromisoformat(raw_time) if isinstance(raw_time, str) else None
        except ValueError:
            time = None
        if time is None or time.tzinfo is None:
            reject(
                index,
                SensorError.INVALID_TIME,
                _("The time must be ISO 8601 with a UTC offset, such as %(example)s.")
                % {"example": "2026-11-25T09:00:00+09:00"},
            )
            continue
        if time > latest:
            reject(
                index,
                SensorError.TIME_IN_FUTURE,
                _("The time is more than 5 minutes in the future."),
            )
            continue
        if time < earliest:
            reject(
                index,
                SensorError.TIME_TOO_OLD,
                _("The time is older than the %(hours)s hours readings are accepted for.")
                % {"hours": round(max_age.total_seconds() / 3600, 1)},
            )
            continue
        batch.rows.append((metric.id, time.astimezone(UTC).isoformat(), float(value)))
    return batch


def encode_rows(rows: list[tuple[int, str, float]]) -> str:
    return json.dumps(rows, separators=(",", ":"))


def decode_rows(text: str) -> list[tuple[int, str, float]]:
    return [(int(metric), str(time), float(value)) for metric, time, value in json.loads(text)]
