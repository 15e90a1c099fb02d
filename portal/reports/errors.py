"""Codes of the errors reports' services raise, as `ValidationError(..., code=...)`."""

from __future__ import annotations

from enum import StrEnum


class ReportError(StrEnum):
    CATEGORY_UNKNOWN = "category_unknown"
    LOCATION_MISSING = "location_missing"
    LOCATION_OUTSIDE = "location_outside"
    ADDRESS_UNKNOWN = "address_unknown"
    DESCRIPTION_MISSING = "description_missing"
    DESCRIPTION_TOO_LONG = "description_too_long"
    PILOT_UNKNOWN = "pilot_unknown"
    DEVICE_UNKNOWN = "device_unknown"
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_TOO_BIG = "photo_too_big"
    PHOTO_NOT_IMAGE = "photo_not_image"
    ATTRIBUTE_MISSING = "attribute_missing"
    ATTRIBUTE_INVALID = "attribute_invalid"
    TRANSITION_INVALID = "transition_invalid"
    RESOLUTION_MISSING = "resolution_missing"
    ALREADY_CLOSED = "already_closed"
    REOPEN_NOT_ALLOWED = "reopen_not_allowed"
    REOPEN_TOO_LATE = "reopen_too_late"
    REASON_MISSING = "reason_missing"
    MERGE_INVALID = "merge_invalid"
    SUPPORT_OWN = "support_own"
    ALERT_INVALID = "alert_invalid"
    NOT_ALLOWED = "not_allowed"


# How the API answers the refusals that the request's form does not explain (portal.rest); every
# other code answers 400.
API_STATUSES: dict[str, int] = {
    # The request names something that is not there (or no longer open): 404 Not Found.
    ReportError.CATEGORY_UNKNOWN: 404,
    ReportError.PILOT_UNKNOWN: 404,
    ReportError.DEVICE_UNKNOWN: 404,
    # The report's state refuses it: 409 Conflict.
    ReportError.ALREADY_CLOSED: 409,
    # Who the caller is keeps them out: 403 Forbidden.
    ReportError.SUPPORT_OWN: 403,
}
