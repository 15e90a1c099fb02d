"""Checking what a device sends before anything is stored.

The same checks serve HTTP and MQTT. A body is a JSON list of readings or one reading alone; each
reading is `{"metric": "pm25", "time": "2026-11-25T09:00:00+09:00", "value": 41.5}`, optionally
with `"device"` naming the sender and `"correction": true` when it replaces a stored value.
Readings are judged one by one: the good ones are accepted and each bad one is reported by its
index, a stable code and a reason a person can read. Problems with the body as a whole (not JSON,
too big, not a list of objects) raise `BodyError` instead.

A reading of a metric at a time (in UTC) that an earlier one of the batch already has, or that is
already stored, is refused as a `duplicate`: a device that resends after a lost acknowledgement
learns that nothing was lost, and nothing stored is overwritten unless the device says so with
the correction flag. What a reading repeats is only known under the device's lock, so
`check_readings` finds the repeats inside the batch and `CheckedBatch.repeats_refuse` the rest,
given what is stored.

Whatever of the input an answer shows is cut short (`portal.storable.printable_name`): a reason
never grows with what a device sent.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
from django.utils.translation import gettext as _

from portal.storable import MESSAGE as UNSTORABLE_MESSAGE
from portal.storable import find_unstorable, printable_name
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


Row = tuple[int, str, float]  # metric id, UTC time in ISO 8601, value
Key = tuple[int, str]  # metric id, UTC time in ISO 8601: what a device has one reading of


class Taken(NamedTuple):
    """An accepted reading, with where it was in the batch and whether it corrects a stored one.

    A named tuple: one is made for every reading accepted, tens of thousands a second, and a
    tuple is made several times faster than a frozen dataclass.
    """

    position: int  # in the batch
    metric: str
    row: Row
    correction: bool


@dataclass
class CheckedBatch:
    """The accepted readings and the rejections of one batch.

    `rows` are the readings to store as `(metric id, UTC time in ISO 8601, value)`;
    `corrections` those that replace the value stored for their metric and time.
    """

    taken: list[Taken] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [taken.row for taken in self.taken if not taken.correction]

    @property
    def corrections(self) -> list[Row]:
        return [taken.row for taken in self.taken if taken.correction]

    @property
    def accepted(self) -> int:
        return len(self.taken)

    @property
    def keys(self) -> list[Key]:
        """The metric and time of each accepted reading."""
        return [(taken.row[0], taken.row[1]) for taken in self.taken]

    def repeats(self, stored: dict[Key, float]) -> bool:
        """Whether any accepted reading has its metric and time in `stored`."""
        return not stored.keys().isdisjoint(self.keys)

    def repeats_refuse(self, stored: dict[Key, float]) -> None:
        """Refuse as `duplicate` what repeats a reading in `stored`, then add the rest to it.

        `stored` holds the device's values by metric and time: those in the database, and
        those accepted before this batch but not stored yet. A correction of a value stored is
        kept, one of nothing stored is an ordinary reading, and one that changes nothing is a
        duplicate too. The caller must hold the device's lock from the reading of `stored`
        until the transaction that keeps this batch commits.
        """
        if not any(taken.correction for taken in self.taken) and not self.repeats(stored):
            # The common case, without a loop in Python: nothing to refuse or to change.
            stored.update((taken.row[:2], taken.row[2]) for taken in self.taken)
            return
        kept: list[Taken] = []
        for taken in self.taken:
            metric_id, time, value = taken.row
            key = (metric_id, time)
            before = stored.get(key)
            if before is not None and (not taken.correction or before == value):
                self.rejected.append(
                    {
                        "index": taken.position,
                        "code": SensorError.DUPLICATE,
                        "reason": _duplicate_reason(taken, before),
                    }
                )
                continue
            if before is None and taken.correction:
                taken = taken._replace(correction=False)
            stored[key] = value
            kept.append(taken)
        self.taken = kept
        self.rejected.sort(key=lambda rejection: int(rejection["index"]))


def _duplicate_reason(taken: Taken, stored: float) -> str:
    replace = {"metric": taken.metric, "time": taken.row[1], "value": stored}
    if taken.correction:
        return _("The %(metric)s reading at %(time)s already has the value %(value)s.") % replace
    return (
        _(
            "A %(metric)s reading at %(time)s was already received, with the value %(value)s; "
            'to replace it, send the reading with "correction": true.'
        )
        % replace
    )


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
    # measurements either. Most values are floats, answered first.
    if type(value) is float:
        return math.isfinite(value)
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
    storable: bool = False,
) -> CheckedBatch:
    """Sort `items` into accepted rows and rejections; see the module docstring.

    `storable` says that the body's bytes already showed all its text can be stored
    (`portal.storable.json_storable`); otherwise each reading is searched for text that cannot.
    """
    batch = CheckedBatch()
    latest = now + MAX_CLOCK_SKEW
    earliest = now - max_age

    def reject(index: int, code: SensorError, reason: str) -> None:
        batch.rejected.append({"index": index, "code": code, "reason": reason})

    # The index of the first accepted reading of each metric and time in the batch.
    first: dict[Key, int] = {}
    # A station sends all its metrics of one moment with one spelling of the time: each spelling
    # is parsed once per batch, as the time and its UTC spelling.
    spellings: dict[str, tuple[dt.datetime, str] | None] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            reject(index, SensorError.NOT_AN_OBJECT, _("A reading must be a JSON object."))
            continue
        unstorable = None if storable else find_unstorable(item)
        if unstorable is not None:
            reject(
                index,
                SensorError.UNSTORABLE_TEXT,
                f"{printable_name(unstorable)}: {UNSTORABLE_MESSAGE}",
            )
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
        correction = item.get("correction", False)
        if not isinstance(correction, bool):
            reject(
                index,
                SensorError.INVALID_CORRECTION,
                _('"correction" must be true or false.'),
            )
            continue
        code = item["metric"]
        metric = metrics.get(code) if isinstance(code, str) else None
        if metric is None:
            # Only text is echoed, cut to a few dozen characters so that the reason never grows
            # with the input; any other JSON value is no metric's code, whatever it holds.
            reject(
                index,
                SensorError.UNKNOWN_METRIC,
                _("Unknown metric: %(metric)r.") % {"metric": printable_name(code)}
                if isinstance(code, str)
                else _("The metric must be the code of a metric, as text."),
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
                    # A whole number of hundreds of digits is still a float.
                    "value": printable_name(str(value)),
                    "metric": metric.code,
                    "min": metric.min_value,
                    "max": metric.max_value,
                },
            )
            continue
        raw_time = item["time"]
        parsed = _parse_time(raw_time, spellings) if isinstance(raw_time, str) else None
        if parsed is None:
            reject(
                index,
                SensorError.INVALID_TIME,
                _("The time must be ISO 8601 with a UTC offset, such as %(example)s.")
                % {"example": "2026-11-25T09:00:00+09:00"},
            )
            continue
        time, utc = parsed
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
        earlier = first.setdefault((metric.id, utc), index)
        if earlier != index:
            reject(
                index,
                SensorError.DUPLICATE,
                _("Reading %(index)d of this batch has the same metric and time.")
                % {"index": earlier},
            )
            continue
        batch.taken.append(Taken(index, metric.code, (metric.id, utc, float(value)), correction))
    return batch


def _parse_time(
    raw: str, spellings: dict[str, tuple[dt.datetime, str] | None]
) -> tuple[dt.datetime, str] | None:
    """The aware time `raw` spells and its UTC spelling, or None if it is not ISO 8601 with an
    offset; remembered in `spellings`.

    One instant has many spellings (offsets, fractions of a second); its UTC spelling by Python
    is the one the database's rows are compared in, too.
    """
    if raw in spellings:
        return spellings[raw]
    try:
        time: dt.datetime | None = dt.datetime.fromisoformat(raw)
    except ValueError:
        time = None
    parsed = None
    if time is not None and time.tzinfo is not None:
        parsed = (time, time.astimezone(UTC).isoformat())
    spellings[raw] = parsed
    return parsed


def encode_rows(rows: list[Row], corrections: list[Row] | None = None) -> str:
    """A batch's readings as compact JSON: `[metric, time, value]`, corrections with a 1 after."""
    encoded: list[list[Any]] = [list(row) for row in rows]
    encoded += [[*row, 1] for row in corrections or []]
    return json.dumps(encoded, separators=(",", ":"))


def decode_rows(text: str) -> tuple[list[Row], list[Row]]:
    """The readings and the corrections of `encode_rows`' JSON."""
    rows: list[Row] = []
    corrections: list[Row] = []
    for metric, time, value, *flag in json.loads(text):
        (corrections if flag else rows).append((int(metric), str(time), float(value)))
    return rows, corrections
