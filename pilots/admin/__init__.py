"""The pilot manager's admin: their own pilots only, phases through the one service, surveys.

Importing the package registers every model admin of the app.
"""

from __future__ import annotations

from pilots.admin import pilot, question, survey

__all__ = ["pilot", "question", "survey"]
