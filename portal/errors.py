"""The codes of the errors the portal app gives, as `ValidationError(..., code=...)`.

The API sends them to callers (`{"error": {"code": ...}}`), so a value here, once released, is
part of the API: rename the member if need be, never the value.
"""

from __future__ import annotations

import enum


class PortalError(enum.StrEnum):
    # A path, query, form field or JSON value holds text the database cannot store.
    UNSTORABLE_TEXT = "unstorable_text"
    # E-mail verification.
    VERIFICATION_LINK_INVALID = "verification_link_invalid"
    VERIFICATION_LINK_EXPIRED = "verification_link_expired"
    VERIFICATION_TOO_SOON = "verification_too_soon"
    # Two-factor authentication.
    TWO_FACTOR_CODE_WRONG = "two_factor_code_wrong"
