"""The codes of the errors the portal app gives, as `ValidationError(..., code=...)`.

The API sends them to callers (`{"error": {"code": ...}}`), so a value here, once released, is
part of the API: rename the member if need be, never the value.
"""

from __future__ import annotations

import enum


class PortalError(enum.StrEnum):
    # A path, query, form field or JSON value holds text the database cannot store.
    UNSTORABLE_TEXT = "unstorable_text"
    # The database is away for a moment (a restart, a failover): try again after Retry-After.
    UNAVAILABLE = "unavailable"
    # E-mail verification.
    VERIFICATION_LINK_INVALID = "verification_link_invalid"
    VERIFICATION_LINK_EXPIRED = "verification_link_expired"
    VERIFICATION_TOO_SOON = "verification_too_soon"
    # Password-reset or verification e-mails: too many for one account or one client address.
    TOO_MANY_EMAILS = "too_many_emails"
    # Two-factor authentication.
    TWO_FACTOR_CODE_WRONG = "two_factor_code_wrong"
