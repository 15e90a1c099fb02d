"""Codes of the errors the sensor pipeline answers with, as devices receive them.

The values are what travels on the wire (HTTP answers, MQTT error topics), listed for device
makers in docs/sensors.md; renaming a member is fine, changing a value breaks devices.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError


class SensorError(StrEnum):
    # The body or message as a whole.
    BODY_TOO_LARGE = "body_too_large"
    MALFORMED_JSON = "malformed_json"
    NOT_A_LIST = "not_a_list"
    EMPTY = "empty"
    TOO_MANY_READINGS = "too_many_readings"
    INTERNAL_ERROR = "internal_error"
    # The database could not take the readings just now; nothing was stored, send them again.
    UNAVAILABLE = "unavailable"
    # Limits: the device sent more readings this minute than SENSORS_DEVICE_READINGS_PER_MINUTE;
    # its address (or MQTT topic) sent too many invalid tokens. Both answer 429 with Retry-After.
    RATE_LIMITED = "rate_limited"
    TOO_MANY_INVALID_TOKENS = "too_many_invalid_tokens"
    # The device's token, and the MQTT topic it publishes on (codes, not secrets).
    MISSING_TOKEN = "missing_token"  # noqa: S105
    INVALID_TOKEN = "invalid_token"  # noqa: S105
    REVOKED_TOKEN = "revoked_token"  # noqa: S105
    DEVICE_RETIRED = "device_retired"
    # One reading of a batch (`WRONG_DEVICE` also for a message on another device's topic).
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    WRONG_DEVICE = "wrong_device"
    UNKNOWN_METRIC = "unknown_metric"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    INVALID_TIME = "invalid_time"
    TIME_IN_FUTURE = "time_in_future"
    TIME_TOO_OLD = "time_too_old"
    # A reading of a metric and time that an earlier reading of the batch has, or one received
    # before; or a correction that changes nothing.
    DUPLICATE = "duplicate"
    INVALID_CORRECTION = "invalid_correction"
    # Text the database could not store (NUL, half a surrogate pair), as the rest of the portal
    # names it (`portal.storable`); in one reading, or in an MQTT message's envelope.
    UNSTORABLE_TEXT = "unstorable_text"


class CredentialError(ValidationError):
    """A token that does not open the door; `code` says why, `message` says it to a person."""

    code: SensorError
    message: str

    def __init__(self, code: SensorError, message: str) -> None:
        super().__init__(message, code=code)
